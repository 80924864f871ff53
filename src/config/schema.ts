// Loads the shipped JSON Schemas (schema/*.schema.json) and compiles them once with ajv.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; under NodeNext its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const compiled = new Map<string, ValidateFunction>();
const instances = new Map<string, Ajv>();

export function schemaPath(name: string): string {
  return fileURLToPath(new URL(`../../schema/${name}.schema.json`, import.meta.url));
}

export function loadSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), "utf8"));
}

/**
 * A validator for schema/<name>.schema.json, compiled on first use. It fills in the schema's
 * `default` values (ajv useDefaults) where the data has none: the schema is the source of defaults.
 */
export function validatorFor(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, useDefaults: true });
    addFormats(ajv);
    v = ajv.compile(loadSchema(name));
    compiled.set(name, v);
    instances.set(name, ajv);
  }
  return v;
}

/** A validator (with defaults) for one definition of a schema: `definitionValidator("config", "ruleSettings")`. */
export function definitionValidator(name: string, definition: string): ValidateFunction {
  const whole = validatorFor(name);
  const id = (whole.schema as { $id?: string }).$id ?? "";
  const v = instances.get(name)!.getSchema(`${id}#/definitions/${definition}`);
  if (!v) throw new Error(`schema ${name} has no definition "${definition}"`);
  return v;
}
