/**
 * Visual constants in one place: colours, chart geometry, number formats.
 * Drawing modules take these as arguments or import them; components do not hard-code them.
 */
export const COLORS = {
  accent: '#3b6fd8',
  trainLoss: '#3b6fd8',
  testCe: '#d8703b',
  grid: '#e2e5ea',
  axis: '#5c6370',
  muted: '#8a909a',
  danger: '#c0392b',
  ok: '#2e8b57',
} as const;

export const LOSS_CHART = {
  width: 640,
  height: 260,
  margin: { top: 16, right: 20, bottom: 36, left: 52 },
  /** Keep the live curve light: beyond this many points, older ones are thinned. */
  maxPoints: 2000,
} as const;

export const FORMAT = {
  /** Cross-entropy in nats. */
  ce: (nats: number) => nats.toFixed(4),
  loss: (value: number) => value.toFixed(4),
  /** Accuracy as a percentage. */
  accuracy: (fraction: number) => `${(fraction * 100).toFixed(2)} %`,
  seconds: (ms: number) => `${(ms / 1000).toFixed(1)} s`,
} as const;

/**
 * What the Train form shows before any training: the seed's settings. The engine validates and
 * owns the real defaults; these only pre-fill the fields.
 */
export const TRAIN_FORM_DEFAULTS = { epochs: 3, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [512, 512] as [number, number] };
