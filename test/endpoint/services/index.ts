// Every service the endpoint speaks. Add a module here to serve a new service.
import type { ServiceModule } from "../protocol.ts";
import { account } from "./account.ts";
import { cloudtrail } from "./cloudtrail.ts";
import { iam } from "./iam.ts";
import { kms } from "./kms.ts";
import { organizations } from "./organizations.ts";
import { s3 } from "./s3.ts";
import { s3control } from "./s3control.ts";
import { sns } from "./sns.ts";
import { sqs } from "./sqs.ts";
import { sts } from "./sts.ts";

export const services: ServiceModule[] = [
  sts,
  s3,
  s3control,
  sns,
  sqs,
  cloudtrail,
  organizations,
  account,
  iam,
  kms,
];
