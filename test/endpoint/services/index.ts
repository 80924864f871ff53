// Every service the endpoint speaks. Add a module here to serve a new service.
import type { ServiceModule } from "../protocol.ts";
import { account } from "./account.ts";
import { cloudtrail } from "./cloudtrail.ts";
import { organizations } from "./organizations.ts";
import { s3 } from "./s3.ts";
import { sns } from "./sns.ts";
import { sqs } from "./sqs.ts";
import { sts } from "./sts.ts";

export const services: ServiceModule[] = [sts, s3, sns, sqs, cloudtrail, organizations, account];
