// Loads the shipped JSON Schemas (schema/*.schema.json) and compiles them once with ajv.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; under NodeNext its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const compiled = new Map<string, ValidateFunction>();

export function schemaPath(name: string): string {
  return fileURLToPath(new URL(`../../schema/${name}.schema.json`, import.meta.url));
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), "utf8"));
}

/** A validator for schema/<name>.schema.json, compiled on first use. */
export function validatorFor(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    v = ajv.compile(loadSchema(name));
    compiled.set(name, v);
  }
  return v;
}
