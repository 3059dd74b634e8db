/**
 * The arXiv category taxonomy (https://arxiv.org/category_taxonomy), with the archived and alias
 * names arXiv still accepts in old listings. A category outside it is kept but reported.
 */
const GROUPS: Record<string, string> = {
  'cs': 'AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI OH OS PF PL RO SC SD SE SI SY',
  'econ': 'EM GN TH',
  'eess': 'AS IV SP SY',
  'math': 'AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT SG SP ST',
  'astro-ph': 'CO EP GA HE IM SR',
  'cond-mat': 'dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con',
  'nlin': 'AO CD CG PS SI',
  'physics': 'acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph',
  'q-bio': 'BM CB GN MN NC OT PE QM SC TO',
  'q-fin': 'CP EC GN MF PM PR RM ST TR',
  'stat': 'AP CO ME ML OT TH',
};
/** Archives without subject classes, and archived ones (still found on old papers). */
const STANDALONE = 'astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph nucl-ex nucl-th quant-ph ' +
  'acc-phys adap-org alg-geom ao-sci atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas dg-ga funct-an mtrl-th ' +
  'patt-sol plasm-ph q-alg solv-int supr-con';

export const ARXIV_CATEGORIES: ReadonlySet<string> = new Set([
  ...Object.entries(GROUPS).flatMap(([archive, subjects]) => subjects.split(' ').map((s) => `${archive}.${s}`)),
  ...STANDALONE.split(' '),
]);

/** Shaped like an arXiv category ("cs.CL", "hep-th", "cond-mat.soft"), known or not. */
const CATEGORY_SHAPE = /^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$/;

export interface CategorySplit {
  /** Categories in source order, duplicates removed: known ones and unknown ones of arXiv shape. */
  categories: string[];
  /** arXiv-shaped names not in the taxonomy (kept in `categories`, to be reported). */
  unknown: string[];
  /** Tokens that are no category at all (e.g. MSC "68T45" or ACM "I.2.10" classes run into the field). */
  other: string[];
}

export function splitArxivCategories(tokens: string[]): CategorySplit {
  const categories: string[] = [];
  const unknown: string[] = [];
  const other: string[] = [];
  for (const raw of tokens) {
    const t = raw.trim();
    if (!t) continue;
    if (ARXIV_CATEGORIES.has(t)) {
      if (!categories.includes(t)) categories.push(t);
    } else if (CATEGORY_SHAPE.test(t) && t.length <= 24 && (t.includes('.') || t.includes('-'))) {
      if (!categories.includes(t)) categories.push(t);
      unknown.push(t);
    } else {
      other.push(t);
    }
  }
  return { categories, unknown, other };
}
