/**
 * The committed study's plan (docs/zoo/plan.json, issue 19 item 6): it parses, stays within the
 * issue's budget of about 48 models (and the zoo's limit without --yes), and covers the levels the
 * issue asks for: depth 1, 2 and 4; ReLU, GELU, tanh and identity; LayerNorm on and off; MNIST and
 * Fashion-MNIST; and a second seed for part of the grid, so the report has seed spreads. The design
 * is fractional: MNIST crosses everything at seed 0, Fashion-MNIST depths 1 and 2, and the eight
 * MNIST depth-2 cells have a second seed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlan, GRID_LIMIT } from '../../native/zoo/plan.js';

const plan = parsePlan(readFileSync('docs/zoo/plan.json', 'utf8'));
const levels = <T>(f: (c: (typeof plan.cells)[number]) => T) => [...new Set(plan.cells.map(f))].sort();

describe('the committed zoo study plan', () => {
  it('parses without --yes and has at most 48 models', () => {
    expect(plan.cells.length).toBeLessThanOrEqual(48);
    expect(plan.cells.length).toBeLessThanOrEqual(GRID_LIMIT);
  });

  it('covers every level the issue names: MNIST in a full cross at seed 0, Fashion-MNIST at depths 1 and 2', () => {
    expect(levels((c) => c.hidden.length)).toEqual([1, 2, 4]);
    expect(levels((c) => c.activation)).toEqual(['gelu', 'identity', 'relu', 'tanh']);
    expect(levels((c) => c.layernorm)).toEqual([false, true]);
    expect(levels((c) => c.dataset)).toEqual(['fashion-mnist', 'mnist']);
    const crossed = (dataset: string) => new Set(plan.cells.filter((c) => c.seed === 0 && c.dataset === dataset).map((c) => JSON.stringify([c.hidden.length, c.activation, c.layernorm])));
    expect(crossed('mnist').size).toBe(3 * 4 * 2);
    expect(crossed('fashion-mnist').size).toBe(2 * 4 * 2);
    expect(plan.cells.every((c) => c.hidden.every((w) => w === 64) && c.epochs === 1)).toBe(true);
  });

  it('trains a second seed of some cells, each the twin of a seed-0 cell, covering every activation and LayerNorm level', () => {
    const twins = plan.cells.filter((c) => c.seed === 1);
    expect(twins.length).toBeGreaterThan(0);
    for (const t of twins) expect(plan.cells.some((c) => c.seed === 0 && JSON.stringify({ ...c, seed: 1 }) === JSON.stringify(t))).toBe(true);
    expect(new Set(twins.map((c) => c.activation)).size).toBe(4);
    expect(new Set(twins.map((c) => c.layernorm)).size).toBe(2);
    expect(plan.varied).toEqual(['dataset', 'hidden', 'activation', 'layernorm', 'seed']);
  });
});

describe('the battery\'s test-image count', () => {
  it('is read from the plan, and a count the battery cannot use is refused naming the field', () => {
    expect(plan.battery.testImages).toBe(2000);
    expect(parsePlan('{"factors": {"width": [8]}}').battery.testImages).toBeUndefined();
    expect(() => parsePlan('{"factors": {"width": [8]}, "battery": {"testImages": 50}}')).toThrow('battery.testImages is 50; it must be a whole number from 100 to 10000 (test images the battery scores on).');
  });
});
