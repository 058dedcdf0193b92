/**
 * Parsing the CLI's numeric options. Decimal notation only, and nothing empty: `Number()` alone
 * would read "" as 0 and "0x1" as 1, so `--layer ""` ran layer 0 and `--seeds ""` trained seed 0.
 * Every refusal is one sentence naming the flag and what it accepts.
 */
import type { HookPoint } from '../model/weights.js';
import { ACTIVATIONS, MAX_HOOK_INDEX, ModelSpecError, type Activation } from '../model/spec.js';

const DECIMAL_INTEGER = /^\s*[-+]?\d+\s*$/;
const DECIMAL_NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

/** Parses an integer flag within [min, max] (decimal digits only), with a message naming the flag. */
export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (value.trim() === '') throw new Error(`${name} is empty; give a whole number from ${min} to ${max}.`);
  const n = Number(value);
  if (!DECIMAL_INTEGER.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}; got "${value}".`);
  }
  return n === 0 ? 0 : n; // not -0
}

/** Parses a finite number flag written in decimal notation (1, -0.5, 2e-3). */
export function numberFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value.trim() === '') throw new Error(`${name} is empty; give a decimal number like 1, -0.5 or 2e-3.`);
  const n = Number(value);
  if (!DECIMAL_NUMBER.test(value) || !Number.isFinite(n)) {
    throw new Error(`${name} must be a decimal number like 1, -0.5 or 2e-3; got "${value}".`);
  }
  return n;
}

/**
 * The items of a comma-separated list flag, each still to be parsed by `item(name of the item,
 * text)` ("--seeds item 2"). An empty list is refused; `accepts` says what the list holds.
 */
export function listFlag<T>(name: string, value: string, accepts: string, item: (itemName: string, text: string) => T): T[] {
  if (value.trim() === '') throw new Error(`${name} is empty; give a comma-separated list of ${accepts}.`);
  return value.split(',').map((text, i) => item(`${name} item ${i + 1}`, text));
}

/** A comma-separated list of whole numbers within [min, max] ("0,1,2"). */
export function intListFlag(name: string, value: string | undefined, fallback: number[], min: number, max: number): number[] {
  if (value === undefined) return fallback;
  return listFlag(name, value, `whole numbers from ${min} to ${max}, e.g. ${min},${min + 1}`, (itemName, text) => intFlag(itemName, text, min, min, max));
}

/** A comma-separated list of decimal numbers ("-2,-1,0,1,2,4"). */
export function numberListFlag(name: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  return listFlag(name, value, 'decimal numbers, e.g. -1,0,0.5,2', (itemName, text) => numberFlag(itemName, text, 0));
}

/**
 * `--layer K`: a hook point of the model (0..4 for the seed's). Any index a model can have is
 * accepted here; the model refuses one it does not have ("this model has hooks 0 to 4").
 */
export function layerFlag(value: string | undefined, fallback: HookPoint = 0): HookPoint {
  return intFlag('--layer', value, fallback, 0, MAX_HOOK_INDEX);
}

/** `--a D`, `--b D`, `--target D`: a digit 0..9, required. */
export function digitFlag(name: string, value: string | undefined): number {
  if (value === undefined) throw new Error(`${name} is required (a digit 0..9).`);
  return intFlag(name, value, 0, 0, 9);
}

/** Parses `--activation relu` or `--activation gelu,tanh,relu`, naming the unknown item. */
export function activationListFlag(value: string): Activation[] {
  return value.split(',').map((raw, i) => {
    const word = raw.trim();
    if (!(ACTIVATIONS as readonly string[]).includes(word)) {
      throw new ModelSpecError(`--activation item ${i + 1} "${word.slice(0, 40)}" is not an activation SteerLab knows; use one of ${ACTIVATIONS.join(', ')}.`);
    }
    return word as Activation;
  });
}
