import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEmpty, isNotApplicable, placeholderMatchers, realContent, templateText } from '../../src/description/content.js';
import { normaliseHeading, parseBody } from '../../src/description/markdown.js';
import { isGitHubTemplatePath, readPrTemplates } from '../../src/description/templates.js';
import { detectRevert } from '../../src/description/revert.js';
import { MemoryTree } from '../helpers/memory-tree.js';
import { makePr } from '../helpers/pr.js';

const NO_TEMPLATE = templateText([]);

describe('headings and sections', () => {
  it('reads ATX and setext headings with their depth, line and source', () => {
    const p = parseBody('Why\n===\n\nbecause\n\nRollback plan\n-------------\nrevert\n\n### Roll-back: \n');
    expect(p.headings).toEqual([
      { text: 'Why', source: 'Why', depth: 1, line: 1 },
      { text: 'Rollback plan', source: 'Rollback plan', depth: 2, line: 6 },
      { text: 'Roll-back:', source: '### Roll-back:', depth: 3, line: 10 },
    ]);
  });

  it('a section runs to the next heading of the same or a higher level, sub-sections included', () => {
    const p = parseBody('## Why\nreason one\n### Detail\nreason two\n## Rollback\nback\n# Top\nafter\n');
    const [why, detail, rollback] = p.sections;
    expect(why!.blocks.map((b) => b.text)).toEqual(['reason one', 'reason two']);
    expect(why!.subheadings.map((h) => h.text)).toEqual(['Detail']);
    expect(detail!.blocks.map((b) => b.text)).toEqual(['reason two']);
    expect(rollback!.blocks.map((b) => b.text)).toEqual(['back']);
  });

  it('a heading inside a list or a quote does not open a section', () => {
    const p = parseBody('- ## Why\n  text\n\n> ## Rollback\n> back\n');
    expect(p.sections).toEqual([]);
    expect(p.blocks.map((b) => b.text)).toEqual(['text', 'back']);
  });

  it('normalises headings: case, surrounding punctuation and emoji, hyphens', () => {
    expect(normaliseHeading('  ROLLBACK Plan: ')).toBe('rollback plan');
    expect(normaliseHeading('🔙 Roll-back?')).toBe('roll back');
    expect(normaliseHeading('Why?')).toBe(normaliseHeading('why'));
    expect(normaliseHeading('Why not')).not.toBe(normaliseHeading('Why'));
  });
});

describe('real content', () => {
  const content = (md: string, tpl = NO_TEMPLATE, ph: string[] = []) => realContent(parseBody(md).blocks, tpl, placeholderMatchers(ph));

  it('removes block and inline HTML comments, also unterminated ones', () => {
    expect(content('<!-- say why -->\n').length).toBe(0);
    expect(describeEmpty(content('<!-- say why -->\n'), NO_TEMPLATE)).toBe('only an HTML comment');
    expect(content('Because <!-- hidden --> it is slow').text).toBe('Because it is slow');
    expect(content('<!--\nmulti\nline\n-->\n\n<!-- never closed\n\ntext').length).toBe(0);
  });

  it('drops empty checkboxes, ticked or not, and keeps checkboxes with text', () => {
    const c = content('- [ ]\n- [x]\n- [ ] \n- [x] tested on staging\n');
    expect(c.lines).toEqual(['[x] tested on staging']);
    expect(c.dropped.stub).toBe(3);
    expect(describeEmpty(content('- [ ]\n- [ ]\n'), NO_TEMPLATE)).toBe('only empty checkboxes');
  });

  it('drops whole blocks of placeholder text, case-insensitively', () => {
    const c = content('TODO\n\n...\n\ntodo: write the plan later\n', NO_TEMPLATE, ['todo', '\\.{3,}']);
    expect(c.lines).toEqual(['todo: write the plan later']);
    expect(describeEmpty(content('tbd', NO_TEMPLATE, ['tbd']), NO_TEMPLATE)).toBe('only placeholder text');
  });

  it('drops blocks copied unchanged from the template, but counts edited ones and ticked template boxes', () => {
    const tpl = templateText([{ path: '.github/pull_request_template.md', text: '## Why\nExplain the reason.\n\n- [ ] Tested on staging\n' }]);
    expect(content('Explain the reason.\n\n- [ ] Tested on staging\n', tpl).length).toBe(0);
    expect(describeEmpty(content('Explain the reason.\n', tpl), tpl)).toBe('only text copied unchanged from the PR template (.github/pull_request_template.md)');
    expect(content('Explain the reason: the cache is cold.\n', tpl).lines).toEqual(['Explain the reason: the cache is cold.']);
    expect(content('- [x] Tested on staging\n', tpl).lines).toEqual(['[x] Tested on staging']);
    // Whitespace differences do not make template text the author's own.
    expect(content('Explain   the\nreason.\n', tpl).length).toBe(0);
  });

  it('counts code blocks and table rows, and counts characters with whitespace collapsed', () => {
    expect(content('```sh\nkubectl rollout undo deploy/api\n```\n').lines).toEqual(['kubectl rollout undo deploy/api']);
    expect(content('| resource | wave |\n| --- | --- |\n| api | 1 |\n').lines).toEqual(['resource | wave', 'api | 1']);
    expect(content('a   b\n\nc').length).toBe(4);
  });

  it('recognises N/A in its usual spellings only as the whole content', () => {
    for (const na of ['N/A', 'n/a', 'NA', 'none.', 'Not applicable', '*N/A*']) expect(isNotApplicable(content(na))).toBe(true);
    expect(isNotApplicable(content('N/A: config-only change'))).toBe(false);
    expect(isNotApplicable(content('N/A\n\nmore'))).toBe(false);
  });
});

describe('real content, for any text', () => {
  it('never counts what is inside an HTML comment, and never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (inside, heading) => {
        fc.pre(!inside.includes('-->'));
        const p = parseBody(`## Rollback\n<!--${inside}-->\n\n# ${heading}\n`);
        expect(realContent(p.sections[0]!.blocks, NO_TEMPLATE, []).length).toBe(0);
      }),
    );
  });

  it('a body compared with itself as the template has no real content unless a box is ticked', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('## Why', '- [ ] item', '* [x] done', '<!-- c -->', '| a | b |\n| - | - |\n| 1 | 2 |', '```\ncode\n```'), fc.string({ maxLength: 40 })), { maxLength: 12 }), (parts) => {
        const body = parts.join('\n\n');
        const c = realContent(parseBody(body).blocks, templateText([{ path: 't.md', text: body }]), []);
        expect(c.lines.every((l) => l.startsWith('[x] '))).toBe(true);
      }),
    );
  });
});

describe('template locations', () => {
  it('matches the places GitHub reads templates from, case-insensitively', () => {
    for (const p of [
      'pull_request_template.md',
      'PULL_REQUEST_TEMPLATE.md',
      '.github/pull_request_template.md',
      '.github/Pull_Request_Template.txt',
      'docs/pull_request_template.md',
      '.github/PULL_REQUEST_TEMPLATE/feature.md',
      'docs/pull_request_template/hotfix.md',
      '.github/pull_request_template',
    ]) {
      expect(isGitHubTemplatePath(p), p).toBe(true);
    }
    for (const p of ['.github/ISSUE_TEMPLATE.md', 'other/pull_request_template.md', '.github/PULL_REQUEST_TEMPLATE/nested/x.md', 'pull_request_template.md.bak/x']) {
      expect(isGitHubTemplatePath(p), p).toBe(false);
    }
  });

  it('reads GitHub locations, or only the configured paths', async () => {
    const tree = new MemoryTree({
      '.github/PULL_REQUEST_TEMPLATE.md': 'main',
      '.github/PULL_REQUEST_TEMPLATE/hotfix.md': 'hotfix',
      'templates/pr.md': 'custom',
      'templates/more/b.md': 'nested',
      'README.md': 'readme',
    });
    expect((await readPrTemplates(tree)).map((t) => [t.path, t.text])).toEqual([
      ['.github/PULL_REQUEST_TEMPLATE.md', 'main'],
      ['.github/PULL_REQUEST_TEMPLATE/hotfix.md', 'hotfix'],
    ]);
    expect((await readPrTemplates(tree, ['./templates/'])).map((t) => t.path)).toEqual(['templates/more/b.md', 'templates/pr.md']);
    expect(await readPrTemplates(tree, ['missing.md'])).toEqual([]);
  });
});

describe('revert detection', () => {
  it("recognises GitHub's revert PR and links the reverted PR", () => {
    const pr = makePr({ title: 'Revert "PAY-318: payments API 1.5.0"', body: 'Reverts example-org/shop-gitops#42\n\n## Why\nbroke refunds', headRef: 'revert-42-pay-318' });
    expect(detectRevert(pr, 'example-org/shop-gitops')).toEqual({
      source: 'body',
      revertedTitle: 'PAY-318: payments API 1.5.0',
      repository: 'example-org/shop-gitops',
      number: 42,
      url: 'https://github.com/example-org/shop-gitops/pull/42',
    });
  });

  it('recognises a Revert title, taking the number from a GitHub revert branch', () => {
    expect(detectRevert(makePr({ title: 'Revert wave change', headRef: 'revert-9-waves' }), 'o/r', 'https://ghe.example/')).toEqual({
      source: 'title',
      repository: 'o/r',
      number: 9,
      url: 'https://ghe.example/o/r/pull/9',
    });
    expect(detectRevert(makePr({ title: 'revert: undo' }))).toEqual({ source: 'title' });
  });

  it('does not take other titles or a branch name alone for a revert', () => {
    expect(detectRevert(makePr({ title: 'Reverting nothing', headRef: 'revert-3-x' }))).toBeUndefined();
    expect(detectRevert(makePr({ title: 'Fix', body: 'This reverts nothing; see owner/repo#4' }))).toBeUndefined();
  });
});
