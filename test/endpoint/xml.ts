// Minimal XML writer for the endpoint's query-protocol and S3 responses.
export type XmlValue = string | number | boolean | null | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!,
  );
}

/** Arrays repeat their parent tag, as S3 does for <Contents>; wrap in {member: [...]} for query lists. */
export function toXml(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join("");
  if (typeof value === "object") {
    const inner = Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function xmlDocument(root: string, value: XmlObject, ns?: string): string {
  const inner = Object.entries(value)
    .map(([k, v]) => toXml(k, v))
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns ? ` xmlns="${ns}"` : ""}>${inner}</${root}>`;
}
