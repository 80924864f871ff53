// The forms an sqs:// log source may take, and the queue URL each one addresses:
//   sqs://https://sqs.REGION.amazonaws.com/ACCOUNT/NAME    the queue URL SQS shows
//   sqs://sqs.REGION.amazonaws.com/ACCOUNT/NAME            the same without the scheme (as with s3://)
//   arn:aws:sqs:REGION:ACCOUNT:NAME, sqs://arn:aws:sqs:... the queue ARN
// With aws.endpoint set (or AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL), the queue is addressed through
// that endpoint (<endpoint>/ACCOUNT/NAME), and a queue URL on the endpoint itself
// (sqs://<endpoint>/ACCOUNT/NAME) is accepted too.
// Anything else is refused when the config loads, rather than failing with QueueDoesNotExist later.

export interface SqsQueue {
  /** The queue's region, when the source names one. */
  region?: string;
  account: string;
  name: string;
  /** The QueueUrl to send with every call. */
  url: string;
}

const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d+";
const ACCOUNT = "\\d{12}";
// 1 to 80 characters: letters, digits, hyphens and underscores; a FIFO queue ends in .fifo.
const NAME = "[A-Za-z0-9_-]{1,75}(?:\\.fifo)?|[A-Za-z0-9_-]{1,80}";
const AWS_HOST = new RegExp(`^sqs\\.(${REGION})\\.(amazonaws\\.com(?:\\.cn)?)$`);
const PATH = new RegExp(`^/(${ACCOUNT})/(${NAME})/?$`);
const ARN = new RegExp(`^arn:(aws(?:-[a-z]+)*):sqs:(${REGION}):(${ACCOUNT}):(${NAME})$`);

export const SQS_FORMS =
  "sqs://https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, sqs://sqs.REGION.amazonaws.com/ACCOUNT/NAME or arn:aws:sqs:REGION:ACCOUNT:NAME";

/**
 * The endpoint SQS calls go to: aws.endpoint, else the SDK's own endpoint variables (which the SDK
 * clients honour too), else none (AWS).
 */
export function sqsEndpoint(configured: string | undefined, env = process.env): string | undefined {
  return configured ?? (env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || undefined);
}

/** True for a source that names an SQS queue (sqs://... or a bare queue ARN). */
export function isSqsSource(source: string): boolean {
  return source.startsWith("sqs://") || /^arn:[^:]*:sqs:/.test(source);
}

/** The queue an SQS source names, or a message saying why it names none. */
export function parseSqsSource(source: string, endpoint?: string): SqsQueue | string {
  const rest = source.startsWith("sqs://") ? source.slice("sqs://".length) : source;
  const arn = ARN.exec(rest);
  if (arn) {
    const [, partition, region, account, name] = arn;
    const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
    return queue(region, account, name, `https://sqs.${region}.${domain}`, endpoint);
  }
  if (rest.startsWith("arn:")) return `${source}: not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)`;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(rest);
  let url: URL;
  try {
    url = new URL(hasScheme ? rest : `https://${rest}`);
  } catch {
    return `${source}: not a queue URL; use ${SQS_FORMS}`;
  }
  const path = PATH.exec(url.pathname);
  if (!path || url.search || url.hash || url.username || url.password)
    return `${source}: expected the path /ACCOUNT/NAME (a 12-digit account and a queue name); use ${SQS_FORMS}`;
  const [, account, name] = path;
  const host = AWS_HOST.exec(url.hostname);
  if (host && !url.port && (url.protocol === "https:" || !hasScheme))
    return queue(host[1], account, name, `https://${url.host}`, endpoint);
  if (endpoint && sameOrigin(url, endpoint)) return queue(undefined, account, name, endpoint, endpoint);
  return `${source}: ${url.host} is not an SQS endpoint (sqs.REGION.amazonaws.com${endpoint ? ` or aws.endpoint ${endpoint}` : ""}); use ${SQS_FORMS}`;
}

function queue(
  region: string | undefined,
  account: string,
  name: string,
  origin: string,
  endpoint: string | undefined,
): SqsQueue {
  const base = (endpoint ?? origin).replace(/\/+$/, "");
  return { region, account, name, url: `${base}/${account}/${name}` };
}

function sameOrigin(url: URL, endpoint: string): boolean {
  try {
    return new URL(endpoint).origin === url.origin;
  } catch {
    return false;
  }
}
