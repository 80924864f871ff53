// The transformations of Sigma v2 value modifiers: they turn one rule value into the variants to look
// for (windash, base64, base64offset, utf16*, expand). Which modifiers exist and how they combine is
// declared in modifier-registry.ts.
import { isPlaceholder, literalOf, type Part, parseSigmaString } from "./patterns.ts";

/** Upper bound on the variants one value may expand to (windash and expand multiply). */
export const MAX_VARIANTS = 4096;

export class ValueError extends Error {}

/** One rule value on its way through the transformations; `binary` means latin1 bytes (after utf16). */
export interface Variant {
  parts: Part[];
  binary: boolean;
}

/** A transformation: one value's variants in, the variants to look for out. */
export type Transformation = (variants: Variant[], placeholders: Record<string, string[]>) => Variant[];

const encode16 =
  (mod: string, bytes: (text: string) => Buffer): Transformation =>
  (variants) =>
    variants.map((v) => binaryVariant(bytes(textOf(v, mod))));

/** The transformation of each transforming modifier (the registry refers to these). */
export const TRANSFORMATIONS = {
  windash: (variants) => variants.flatMap(windash),
  base64: (variants) => variants.map((v) => ({ parts: [base64(bytesOf(v, "base64"))], binary: false })),
  base64offset: (variants) =>
    variants.flatMap((v) =>
      base64Offsets(bytesOf(v, "base64offset")).map((s) => ({ parts: [s], binary: false })),
    ),
  utf16le: encode16("utf16le", (t) => Buffer.from(t, "utf16le")),
  wide: encode16("wide", (t) => Buffer.from(t, "utf16le")),
  utf16be: encode16("utf16be", (t) => swap16(Buffer.from(t, "utf16le"))),
  utf16: encode16("utf16", (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, "utf16le")])),
  expand: (variants, placeholders) => variants.flatMap((v) => expand(v, placeholders)),
} satisfies Record<string, Transformation>;

/** Apply one transformation, refusing a value that expands into too many variants. */
export function applyTransform(
  mod: string,
  transform: Transformation,
  variants: Variant[],
  placeholders: Record<string, string[]>,
): Variant[] {
  const out = transform(variants, placeholders);
  if (out.length > MAX_VARIANTS) {
    throw new ValueError(`"${mod}" expands a value into more than ${MAX_VARIANTS} variants`);
  }
  return out;
}

function textOf(v: Variant, mod: string): string {
  const lit = literalOf(v.parts);
  if (lit === undefined)
    throw new ValueError(`"${mod}" cannot encode a value with wildcards or placeholders`);
  return lit;
}

function bytesOf(v: Variant, mod: string): Buffer {
  return Buffer.from(textOf(v, mod), v.binary ? "latin1" : "utf8");
}

function binaryVariant(b: Buffer): Variant {
  return { parts: [b.toString("latin1")], binary: true };
}

function swap16(b: Buffer): Buffer {
  return b.swap16();
}

function base64(b: Buffer): string {
  return b.toString("base64");
}

/**
 * The three encodings of a value at byte offsets 0, 1 and 2 inside a larger base64 text, trimmed to the
 * characters that do not depend on the neighbouring bytes (as pySigma and the spec describe).
 */
export function base64Offsets(b: Buffer): string[] {
  const starts = [0, 2, 3];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const padded = Buffer.concat([Buffer.alloc(i, 0x20), b]);
    const enc = padded.toString("base64");
    const endTrim = [0, 3, 2][(b.length + i) % 3];
    out.push(enc.slice(starts[i], enc.length - endTrim));
  }
  return out;
}

const DASHES = ["-", "/", "\u2013", "\u2014", "\u2015"];

/** Every combination of -, /, en dash, em dash and horizontal bar where a flag character starts a word. */
function windash(v: Variant): Variant[] {
  let results: Part[][] = [[]];
  for (const p of v.parts) {
    if (typeof p !== "string") {
      for (const r of results) r.push(p);
      continue;
    }
    // Split the literal at flag characters that follow a non-word character and precede a word one.
    const pieces: string[] = [];
    const slots: number[] = [];
    let last = 0;
    for (const m of p.matchAll(/\B[-/]\b/g)) {
      pieces.push(p.slice(last, m.index));
      slots.push(m.index);
      last = m.index + 1;
    }
    pieces.push(p.slice(last));
    if (slots.length === 0) {
      for (const r of results) r.push(p);
      continue;
    }
    let texts = [pieces[0]];
    for (let k = 1; k < pieces.length; k++) {
      const next: string[] = [];
      for (const t of texts) for (const d of DASHES) next.push(t + d + pieces[k]);
      texts = next;
      if (texts.length * results.length > MAX_VARIANTS) {
        throw new ValueError(`"windash" expands a value into more than ${MAX_VARIANTS} variants`);
      }
    }
    const grown: Part[][] = [];
    for (const r of results) for (const t of texts) grown.push([...r, t]);
    results = grown;
  }
  return results.map((parts) => ({ parts, binary: v.binary }));
}

/** Replace each %placeholder% by each of its configured values (which may hold wildcards). */
function expand(v: Variant, placeholders: Record<string, string[]>): Variant[] {
  let results: Part[][] = [[]];
  for (const p of v.parts) {
    if (!isPlaceholder(p)) {
      for (const r of results) r.push(p);
      continue;
    }
    const values = Object.hasOwn(placeholders, p.placeholder) ? placeholders[p.placeholder] : undefined;
    if (!values || values.length === 0) {
      throw new ValueError(
        `placeholder %${p.placeholder}% has no value: set placeholders.${p.placeholder} in the configuration`,
      );
    }
    const grown: Part[][] = [];
    for (const r of results) for (const val of values) grown.push([...r, ...parseSigmaString(val)]);
    if (grown.length > MAX_VARIANTS) {
      throw new ValueError(`"expand" expands a value into more than ${MAX_VARIANTS} variants`);
    }
    results = grown;
  }
  return results.map((parts) => ({ parts, binary: v.binary }));
}
