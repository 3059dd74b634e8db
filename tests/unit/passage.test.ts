import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build';
import { corpusPassages, passageText } from '../../src/search/passage';
import { splitCacheKey } from '../../src/store/cache-key';
import { SEEDS } from '../fixtures/corpus/helpers';

const seeds = buildCorpus(readdirSync(SEEDS).sort().map((f) => ({ path: f, bytes: new Uint8Array(readFileSync(join(SEEDS, f))) }))).data;

describe('corpusPassages: what the app embeds and caches', () => {
  it('embeds exactly the eval\'s passage text for every chunk, one distinct key each', () => {
    const { texts, keys } = corpusPassages(seeds, 'fp-a');
    const byId = new Map(seeds.papers.map((p) => [p.id, p]));
    expect(texts).toEqual(seeds.chunks.map((c) => passageText(byId.get(c.paperId)!, c)));
    expect(new Set(keys).size).toBe(seeds.chunks.length);
    // a real title is part of what is embedded
    const titled = seeds.chunks.findIndex((c) => !byId.get(c.paperId)!.titleDerived);
    expect(texts[titled].startsWith(byId.get(seeds.chunks[titled].paperId)!.title)).toBe(true);
  });

  it('misses the cache when the title, the passage mode or the model changes, and only then', () => {
    const base = corpusPassages(seeds, 'fp-a').keys;
    expect(corpusPassages(structuredClone(seeds), 'fp-a').keys).toEqual(base);
    const retitled = structuredClone(seeds);
    const i = retitled.papers.findIndex((p) => !p.titleDerived);
    retitled.papers[i].title += ' (revised)';
    const changed = corpusPassages(retitled, 'fp-a').keys.filter((k, j) => k !== base[j]);
    expect(changed).toHaveLength(seeds.chunks.filter((c) => c.paperId === retitled.papers[i].id).length);
    expect(corpusPassages(seeds, 'fp-a', 'chunk').keys.every((k, j) => k !== base[j])).toBe(true);
    expect(corpusPassages(seeds, 'fp-b').keys.every((k, j) => k !== base[j])).toBe(true);
    // all keys of one corpus share one group, so the store packs them together
    expect(new Set(base.map((k) => splitCacheKey(k)[0])).size).toBe(1);
  });

  it('names the chunk whose paper is missing', () => {
    const broken = structuredClone(seeds);
    broken.chunks[0].paperId = 'gone';
    expect(() => corpusPassages(broken, 'fp-a')).toThrow(/"gone".*build:corpus/);
  });
});
