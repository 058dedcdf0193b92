/**
 * Advice as the page gives it (issue 20.18). The engine's sentences are shared with the CLI,
 * whose way forward is a flag ("pass --data DIR") or a file in the repository ("see
 * docs/vector-format.md"). A page user has neither a terminal nor the checkout, so every message
 * the page is sent (page-paths.ts `forPage`, for the server mode and Electron alike) has that
 * advice replaced by what to do in the app. The CLI keeps its own wording.
 *
 * Each rule names one piece of CLI advice the engine writes; tests/api/page-advice.test.ts checks
 * that no engine sentence outside the CLI still names a flag or a repository path once mapped.
 */
interface Rule {
  cli: RegExp;
  page: string;
}

const RULES: readonly Rule[] = [
  // MNIST: where the data comes from, and how to give another folder.
  { cli: /(?:pass|point) --data DIR or set STEERLAB_DATA=DIR to the folder holding them/g, page: 'choose the folder holding them in the data panel' },
  { cli: /(?:pass|point) --data DIR or set STEERLAB_DATA=DIR/g, page: 'choose their folder in the data panel' },
  { cli: /point --data \/ STEERLAB_DATA at a folder with the original files/g, page: 'choose a folder with the original files in the data panel' },
  { cli: /re-download it or /g, page: 'download it again from the data panel, or ' },
  { cli: /no --data given/g, page: 'no data folder was given at start' },
  { cli: /\(given by --data\)/g, page: '(the data folder given at start)' },
  { cli: /point --data at (it|the folder that holds them)/g, page: 'choose $1 in the data panel' },
  // Fashion-MNIST (a Fashion session opened in the workbench, a Fashion zoo plan): never downloaded, so the variable is the way.
  // (`${FASHION_ENV}` is the sentence as its source line reads; tests/api/page-advice.test.ts checks source lines.)
  { cli: /, or put its four IDX files in a folder and pass --data DIR or set (?:STEERLAB_FASHION_DATA|\$\{FASHION_ENV\})=DIR\./g, page: ', or put its four IDX files in a folder and start SteerLab with STEERLAB_FASHION_DATA set to it.' },
  { cli: /point (--data|STEERLAB_FASHION_DATA) at a folder with the four Fashion-MNIST IDX files/g, page: 'start SteerLab with STEERLAB_FASHION_DATA set to a folder with the four Fashion-MNIST IDX files' },
  { cli: /\(given by (--data|STEERLAB_FASHION_DATA)\) does not hold/g, page: '(given by STEERLAB_FASHION_DATA) does not hold' },
  // Vector files: the format is SteerLab's own export; the page points there, not to the docs.
  { cli: /written as docs\/vector-format\.md describes/g, page: 'written in the same format' },
  { cli: /follow docs\/vector-format\.md/g, page: 'export one from the Vectors view and follow its format' },
  { cli: /; see docs\/vector-format\.md\./g, page: '.' },
  // Models: the page trains in the Train view.
  { cli: /Train a new model with `steerlab train` or import one with the seed architecture\./g, page: 'Train a new model in the Train view, or open a session whose model has the seed architecture.' },
  // Robustness: the page's box is "source images per digit", the CLI's flag --images.
  { cli: /--images must be/g, page: 'The number of source images per digit must be' },
  { cli: /--images (\S+) is more than/g, page: '$1 source images per digit is more than' },
  // Zoo plans: the page shows an example plan; output folders are chosen in the view.
  { cli: /written as docs\/zoo-plan\.md shows/g, page: "written as the Zoo view's example shows" },
  { cli: /write it as docs\/zoo-plan\.md shows/g, page: "write it as the Zoo view's example shows" },
  { cli: /; see docs\/zoo-plan\.md\./g, page: '.' },
  { cli: /, or add --yes to train them all/g, page: ', or split it into smaller plans' },
  { cli: /give a new --out folder/g, page: 'choose a new output folder' },
  // Imported models: the page has no --activation / --layernorm flags, only the file's own metadata.
  { cli: /say which modules the file holds with --activation\/--layernorm or its steerlab\.modules metadata/g, page: 'save it with its steerlab.modules metadata (the module list)' },
  { cli: /--activation lists/g, page: 'The activation list names' },
  { cli: / \(the --activation\/--layernorm flags describe MLPs without residual blocks\)/g, page: '' },
  // The native engine's build fix is for whoever installs SteerLab, not something the page can do.
  { cli: /; fix: .*npm run build:native\S*/g, page: '' },
];

/** `message` with the CLI's advice replaced by the app's. */
export function adviceForPage(message: string): string {
  return RULES.reduce((text, rule) => text.replace(rule.cli, rule.page), message);
}
