/**
 * The seed post's published numbers ("Activation additions in a simple MNIST network", 2023),
 * embedded so that reports can set our tables beside them without the original files.
 * Values are mean cross-entropy in nats (the post calls it "perplexity").
 */
export const SEED_TABLES = {
  source: "Activation additions in a simple MNIST network (LessWrong post, 2023-05-18), as given in activation-additions-mnist.txt",
  unpatchedTestCe: 0.089,
  /** Layer sweep of the 3 - 1 vector, by hook point. */
  layerSweep3Minus1: [7.8, 12.69, 12.69, 17.01, 17.01] as number[],
  /** Rows a, columns b, layer 0, coefficient 1. */
  tableLayer0: [[0.1, 15.0, 12.9, 9.3, 13.9, 8.4, 6.8, 12.5, 8.9, 19.4], [9.7, 0.1, 2.5, 8.6, 0.8, 10.3, 1.8, 1.9, 0.9, 2.0], [1.6, 2.4, 0.1, 4.7, 4.2, 8.3, 3.3, 6.3, 3.1, 10.3], [19.0, 12.7, 15.9, 0.1, 21.6, 1.0, 24.4, 17.1, 18.7, 16.4], [10.4, 0.9, 2.2, 14.1, 0.1, 22.2, 4.5, 7.2, 8.9, 0.8], [17.1, 23.3, 26.7, 9.5, 25.2, 0.1, 0.9, 7.6, 2.2, 19.5], [4.0, 3.6, 6.7, 17.9, 1.8, 2.9, 0.1, 17.7, 6.2, 9.9], [6.7, 4.0, 6.7, 10.0, 2.8, 8.4, 13.2, 0.1, 11.6, 4.5], [4.3, 1.8, 4.4, 0.7, 2.8, 1.4, 1.1, 3.4, 0.1, 1.0], [4.9, 4.5, 1.3, 7.0, 2.0, 14.7, 5.0, 0.6, 1.4, 0.1]] as number[][],
  normalByB: [0.094, 0.096, 0.092, 0.084, 0.09, 0.092, 0.085, 0.091, 0.078, 0.085] as number[],
} as const;
