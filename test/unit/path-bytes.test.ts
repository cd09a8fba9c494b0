/** File names as bytes, and symbolic links resolved within a tree. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nulRecords, PathTable, pathFromBytes } from '../../src/sources/path-bytes.js';
import { leavesRepository, MAX_LINK_HOPS, resolveAll } from '../../src/sources/symlinks.js';

const b = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('pathFromBytes', () => {
  it('keeps UTF-8 names, and escapes the bytes of a segment that is not UTF-8', () => {
    expect(pathFromBytes(b('apps/ünï cödé/a\\b.yaml'))).toBe('apps/ünï cödé/a\\b.yaml');
    expect(pathFromBytes(b('apps/a/', [0xfe], '.yaml'))).toBe('apps/a/\\xfe.yaml');
    // Only the segment that is not UTF-8 is escaped (its backslash too); its directory keeps its name.
    expect(pathFromBytes(b('we\\ird/é', [0xff], '\\x.yaml'))).toBe('we\\ird/é\\xff\\x5cx.yaml');
    // Overlong forms, surrogates and truncated sequences are not UTF-8.
    expect(pathFromBytes(b([0xc0, 0xaf], '/', [0xed, 0xa0, 0x80], '/', [0xe2, 0x82]))).toBe('\\xc0\\xaf/\\xed\\xa0\\x80/\\xe2\\x82');
  });

  it('never gives two different names the same path, unless one is UTF-8 spelled like an escape', () => {
    const segment = fc.uint8Array({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes(0x2f) && !s.includes(0));
    const name = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segs) => Buffer.concat(segs.flatMap((s, i) => (i ? [Buffer.from('/'), s] : [s]))));
    const isUtf8 = (x: Buffer) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(x);
        return true;
      } catch {
        return false;
      }
    };
    const segments = (x: Buffer) => x.toString('latin1').split('/').map((s) => Buffer.from(s, 'latin1'));
    fc.assert(
      fc.property(name, name, (x, y) => {
        if (x.equals(y) || pathFromBytes(x) !== pathFromBytes(y)) return true;
        // Same path from different names: only where a UTF-8 segment holding a backslash meets an escaped one.
        const sx = segments(x);
        const sy = segments(y);
        return sx.some((s, i) => !s.equals(sy[i]!) && [s, sy[i]!].some((t) => isUtf8(t) && t.includes(0x5c)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses the one ambiguity: a UTF-8 name spelled like the escape of another', () => {
    const t = new PathTable<number>();
    t.add(pathFromBytes(b('a/', [0xfe], '.yaml')), 1);
    expect(() => t.add(pathFromBytes(b('a/\\xfe.yaml')), 2)).toThrow(/two files are both named "a\/\\xfe\.yaml"/);
  });

  it('splits NUL-separated git output, fast for ASCII and escaped otherwise', () => {
    expect(nulRecords(b('M\0a.yaml\0'))).toEqual(['M', 'a.yaml']);
    expect(nulRecords(b('100644 blob abc\tapps/', [0xfe], '.yaml', [0], '120000 blob def\tl', [0]))).toEqual(['100644 blob abc\tapps/\\xfe.yaml', '120000 blob def\tl']);
  });
});

describe('symbolic links', () => {
  const files = ['apps/prod/ok.yaml', 'shared/real/cm.yaml', 'README.md'];
  const resolve = (links: Record<string, string>) => Object.fromEntries(resolveAll(files, new Map(Object.entries(links))).map((l) => [l.path, l.problem ?? l.resolved]));

  it('follows links relative to their directory, through directory links, and names each problem', () => {
    expect(
      resolve({
        'apps/prod/a.yaml': 'ok.yaml',
        'apps/prod/b.yaml': '../../shared/dir/cm.yaml',
        'shared/dir': 'real',
        'apps/prod/c.yaml': 'b.yaml',
        'apps/prod/up.yaml': '../../../x',
        'apps/prod/abs.yaml': '/etc/passwd',
        'apps/prod/through.yaml': 'up.yaml',
        'apps/prod/loop.yaml': 'loop.yaml',
        'apps/prod/gone.yaml': 'nope.yaml',
        'apps/prod/dir.yaml': '../../shared',
        'apps/prod/notdir.yaml': 'ok.yaml/x',
      }),
    ).toEqual({
      'apps/prod/a.yaml': 'apps/prod/ok.yaml',
      'apps/prod/b.yaml': 'shared/real/cm.yaml',
      'shared/dir': 'directory',
      'apps/prod/c.yaml': 'shared/real/cm.yaml',
      'apps/prod/up.yaml': 'outside',
      'apps/prod/abs.yaml': 'outside',
      'apps/prod/through.yaml': 'outside',
      'apps/prod/loop.yaml': 'loop',
      'apps/prod/gone.yaml': 'missing',
      'apps/prod/dir.yaml': 'directory',
      'apps/prod/notdir.yaml': 'missing',
    });
  });

  it('lists every path a resolution read, and stops a chain after the hop limit', () => {
    const [c] = resolveAll(files, new Map([['apps/prod/c.yaml', 'b.yaml'], ['apps/prod/b.yaml', 'ok.yaml']])).filter((l) => l.path === 'apps/prod/c.yaml');
    expect(c!.via).toEqual(['apps/prod/b.yaml', 'apps/prod/ok.yaml']);
    const chain = new Map(Array.from({ length: MAX_LINK_HOPS + 1 }, (_, i) => [`l${i}`, i === MAX_LINK_HOPS ? 'README.md' : `l${i + 1}`] as [string, string]));
    const byPath = new Map(resolveAll(files, chain).map((l) => [l.path, l]));
    expect(byPath.get('l0')!.problem).toBe('loop');
    expect(byPath.get('l1')!.resolved).toBe('README.md');
  });

  it('tests a link on its text as ArgoCD does: absolute, or stepping above the root', () => {
    expect(leavesRepository('a/b', '../c')).toBe(false);
    expect(leavesRepository('a/b', '../../c')).toBe(true);
    expect(leavesRepository('a/b', '../../a/c')).toBe(true);
    expect(leavesRepository('b', '/b')).toBe(true);
    expect(leavesRepository('a/b', './x/../../c')).toBe(false);
  });
});
