/**
 * Visual constants in one place: colours, chart geometry, number formats.
 * Drawing modules take these as arguments or import them; components do not hard-code them.
 */
import type { TrainConfig } from '../../native/train/train-types.js';

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
export const TRAIN_FORM_DEFAULTS = {
  epochs: 3, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [512, 512],
  // The seed's recipe: ReLU, no LayerNorm, no residual blocks, no dropout or weight decay, Adam.
  activations: ['relu'], layernorm: false, residualBlocks: 0, dropout: 0, weightDecay: 0, optimizer: 'adam', momentum: 0,
} satisfies Required<TrainConfig>;

/**
 * Draw & steer and Data views: canvas and chart geometry, colours, the steering controls' ranges.
 * The engine owns every number shown; these only size and colour it.
 */
export const DRAW = {
  /** The drawing canvas, in canvas pixels (shown at the same CSS size): 10x the network's 28x28. */
  canvasSize: 280,
  brush: { min: 6, max: 40, default: 20 },
  inkColor: '#111111',
  /** Undo keeps this many earlier states. */
  undoLimit: 50,
  /** CSS size of the enlarged 28x28 input preview. */
  previewSize: 168,
  /** The slider's range and step; `limit` bounds the typed value (the API contract's own bound). */
  coeff: { min: -4, max: 4, step: 0.05, default: 1, limit: 1e6 },
  defaults: { a: 3, b: 1, hook: 0 as 0 | 1 | 2 | 3 | 4 },
  bars: {
    width: 560,
    height: 270,
    /** The top margin holds the legend (it names the intervention, also in an exported picture). */
    margin: { top: 44, right: 12, bottom: 40, left: 44 },
    unpatched: '#8a9bb8',
    steered: '#d8703b',
    /** The predicted class's axis label. */
    predicted: '#1f232a',
  },
  heatmap: {
    /** Widest the grid may be, in CSS px; cells are square. */
    width: 400,
    legendHeight: 10,
    /** Grids: columns ~ sqrt(2 n), so 512 units lay out as 16 x 32. */
    aspect: 2,
  },
  /** Source thumbnails (28x28 images) beside the vector. */
  thumbSize: 84,
  /** Data view: thumbnails per page and their CSS size. */
  browse: { pageSize: 60, thumbSize: 56 },
  /** Probabilities as labels above bars. */
  probability: (p: number) => (p >= 0.995 ? '1.00' : p < 0.005 ? '' : p.toFixed(2)),
} as const;

/**
 * The Sweep view: chart geometry, colours and defaults. Figures are drawn with explicit SVG
 * attributes (no page CSS), so an exported SVG or PNG looks exactly like the chart on screen.
 */
export const SWEEP = {
  font: 'Helvetica, Arial, sans-serif',
  fontSize: 11,
  heatmap: {
    /** Side of one cell in px (the comparison's two tables use the smaller one to sit side by side). */
    cell: 46,
    compareCell: 38,
    margin: { top: 64, right: 12, bottom: 14, left: 78 },
    /** Gap above the Normal / Unpatched row, in cells. */
    referenceGap: 0.35,
    legend: { gap: 18, barWidth: 14, axisWidth: 64 },
  },
  classBars: {
    panelWidth: 156,
    plotHeight: 92,
    columns: 5,
    margin: { top: 64, right: 12, bottom: 8, left: 40 },
    rowGap: 48,
  },
  series: {
    width: 460,
    panelHeight: 150,
    panelGap: 46,
    margin: { top: 56, right: 118, bottom: 46, left: 58 },
  },
  colors: {
    /** Class a (the digit the vector adds) and class b (the digit it subtracts). */
    a: '#d8703b',
    b: '#3b6fd8',
    other: '#aab2bf',
    unpatched: '#1f232a',
    ce: '#6a3d9a',
    normal: '#8a909a',
    highlight: '#e4002b',
    selected: '#000000',
    text: '#1f232a',
    muted: '#5c6370',
    grid: '#e2e5ea',
  },
  formDefaults: { layer: 0, coeff: 1, source: 'first' as 'first' | 'mean' | 'nth', i: 0, j: 0 },
  /** The detail's coefficient sweep: from..to in steps (the engine takes at most 64 values). */
  coeffDefaults: { from: -4, to: 4, step: 0.5 },
  maxCoeffs: 64,
  /** Exported PNGs are drawn at this multiple of the chart's size. */
  pngScale: 2,
} as const;
