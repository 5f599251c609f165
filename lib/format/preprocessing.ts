// The model file's `preprocessing` section: the tabular preprocessing (columns, types, fill values,
// categories, numeric standardization, the target and its task), and the checks that a read one is
// well-formed. The input and target scalings of the section keep their readers beside the models
// (lib/scaling.ts, lib/network.ts); this module owns `preprocessing.tabular`.
//
//   "preprocessing": {
//     "tabular"?: {
//       "version": 1,
//       "target": { "name": column, "task": "classification" | "regression" } | null,
//       "impute": "mean" | "median" | "most-frequent" | "drop",
//       "standardize": boolean,
//       "missing": [cell texts read as missing],
//       "features": [
//         { "name", "type": "numeric", "fill": number, "mean": number, "std": number > 0 }
//       | { "name", "type": "boolean", "fill": boolean }
//       | { "name", "type": "categorical", "fill": one of categories, "categories": [distinct strings, sorted] }
//       ]
//     },
//     "inputScaling"?: …, "targetScaling"?: …
//   }
// The model's first layer reads sum(1 per numeric or boolean feature, one per category) inputs; a
// file where that differs is refused. The classes are not here: they stay in `architecture.classes`.
import { blasnetError, describe } from '../errors.js';
import type { FeatureEncoding, TabularJSON } from '../tabular/preprocess.js';
import { exactKeys, finiteNumber, plainObject } from './fields.js';

const ERR = 'ERR_BLASNET_FORMAT';
const IMPUTE = ['mean', 'median', 'most-frequent', 'drop'];

function str(value: unknown, src: string, name: string): string {
  if (typeof value !== 'string') throw blasnetError(ERR, `${src}: ${name} must be a string, got ${describe(value)}`);
  return value;
}

function stringArray(value: unknown, src: string, name: string): string[] {
  if (!Array.isArray(value)) throw blasnetError(ERR, `${src}: ${name} must be an array of strings, got ${describe(value)}`);
  return value.map((v, i) => str(v, src, `${name}[${i}]`));
}

/**
 * Checks a stored `preprocessing.tabular` section against the model's input count.
 * @param value - the section
 * @param inputs - the model's input count (s0, or a logistic model's features)
 * @param src - names the file or object in messages
 * @returns the section, checked (a fresh object)
 * @throws {@link BlasnetError} ERR_BLASNET_FORMAT naming the field that is wrong
 * @example const tabular = tabularFromJSON(root.preprocessing.tabular, 7, 'model.json');
 */
export function tabularFromJSON(value: unknown, inputs: number, src: string): TabularJSON {
  const at = 'preprocessing.tabular';
  const t = plainObject(value, src, at);
  exactKeys(t, src, at, ['version', 'target', 'impute', 'standardize', 'missing', 'features'], ['version', 'target', 'impute', 'standardize', 'missing', 'features']);
  if (t.version !== 1) throw blasnetError(ERR, `${src}: ${at}.version must be 1 (the version this blasnet reads), got ${describe(t.version)}`);
  let target: TabularJSON['target'] = null;
  if (t.target !== null) {
    const g = plainObject(t.target, src, `${at}.target`);
    exactKeys(g, src, `${at}.target`, ['name', 'task'], ['name', 'task']);
    if (g.task !== 'classification' && g.task !== 'regression') throw blasnetError(ERR, `${src}: ${at}.target.task must be 'classification' or 'regression', got ${describe(g.task)}`);
    target = { name: str(g.name, src, `${at}.target.name`), task: g.task };
  }
  if (!IMPUTE.includes(t.impute as string)) throw blasnetError(ERR, `${src}: ${at}.impute must be one of ${IMPUTE.join(', ')}, got ${describe(t.impute)}`);
  if (typeof t.standardize !== 'boolean') throw blasnetError(ERR, `${src}: ${at}.standardize must be a boolean, got ${describe(t.standardize)}`);
  const missing = stringArray(t.missing, src, `${at}.missing`);
  if (!Array.isArray(t.features) || t.features.length === 0) throw blasnetError(ERR, `${src}: ${at}.features must be a non-empty array, got ${describe(t.features)}`);
  const names = new Set<string>();
  let width = 0;
  const features = t.features.map((raw, k): FeatureEncoding => {
    const name = `${at}.features[${k}]`;
    const f = plainObject(raw, src, name);
    const column = str(f.name, src, `${name}.name`);
    if (names.has(column) || column === target?.name) throw blasnetError(ERR, `${src}: ${name}.name ${JSON.stringify(column)} is used twice`);
    names.add(column);
    switch (f.type) {
      case 'numeric': {
        exactKeys(f, src, name, ['name', 'type', 'fill', 'mean', 'std'], ['name', 'type', 'fill', 'mean', 'std']);
        const std = finiteNumber(f.std, src, `${name}.std`);
        if (!(std > 0)) throw blasnetError(ERR, `${src}: ${name}.std must be > 0, got ${std}`);
        width++;
        return { name: column, type: 'numeric', fill: finiteNumber(f.fill, src, `${name}.fill`), mean: finiteNumber(f.mean, src, `${name}.mean`), std };
      }
      case 'boolean':
        exactKeys(f, src, name, ['name', 'type', 'fill'], ['name', 'type', 'fill']);
        if (typeof f.fill !== 'boolean') throw blasnetError(ERR, `${src}: ${name}.fill must be a boolean, got ${describe(f.fill)}`);
        width++;
        return { name: column, type: 'boolean', fill: f.fill };
      case 'categorical': {
        exactKeys(f, src, name, ['name', 'type', 'fill', 'categories'], ['name', 'type', 'fill', 'categories']);
        const categories = stringArray(f.categories, src, `${name}.categories`);
        if (categories.length === 0) throw blasnetError(ERR, `${src}: ${name}.categories must not be empty`);
        for (let i = 1; i < categories.length; i++) {
          if (!(categories[i - 1]! < categories[i]!)) throw blasnetError(ERR, `${src}: ${name}.categories must be distinct and sorted, got ${JSON.stringify(categories[i - 1])} before ${JSON.stringify(categories[i])}`);
        }
        const fill = str(f.fill, src, `${name}.fill`);
        if (!categories.includes(fill)) throw blasnetError(ERR, `${src}: ${name}.fill ${JSON.stringify(fill)} is not one of its categories`);
        width += categories.length;
        return { name: column, type: 'categorical', fill, categories };
      }
      default:
        throw blasnetError(ERR, `${src}: ${name}.type must be 'numeric', 'boolean' or 'categorical', got ${describe(f.type)}`);
    }
  });
  if (width !== inputs) {
    throw blasnetError(ERR, `${src}: ${at} encodes ${width} model inputs, the model reads ${inputs}`);
  }
  return { version: 1, target, impute: t.impute as TabularJSON['impute'], standardize: t.standardize, missing, features };
}
