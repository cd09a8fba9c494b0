/**
 * The findings as SARIF 2.1.0 (OASIS "Static Analysis Results Interchange Format Version 2.1.0"), for
 * GitHub code scanning (`github/codeql-action/upload-sarif`). Code scanning reads `tool.driver.rules`
 * (help, `defaultConfiguration.level`), each result's `ruleId`, `level`, `message`, first physical
 * location (a repository-relative `artifactLocation.uri` and a `region`), and `partialFingerprints`
 * to follow an alert across commits. Pre-existing findings carry `baselineState: "unchanged"`.
 */
import { createHash } from 'node:crypto';
import type * as Sarif from 'sarif';
import type { Finding, Report, Severity } from '../core/model.js';
import type { RuleInfo } from '../area/contract.js';
import { RULES } from '../composition.js';
import { encodePath } from './escape.js';
import { repositoryWeb } from './links.js';


/** Options of {@link renderSarif}. */
export interface SarifOptions {
  /** The rule catalogue; default: every rule of the gate. */
  rules?: ReadonlyMap<string, RuleInfo>;
  /**
   * Absolute URL of the published docs/rules.md; when set, each rule's `helpUri` is this plus `#<area>`.
   * Unset by default: the gate does not guess where its documentation is hosted, and SARIF viewers then
   * show each rule's help text instead.
   */
  rulesDocUrl?: string;
}

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', notice: 'note' };

/** A stable hash of the finding's fingerprint (rule, file, subject, key), independent of line shifts. */
function fingerprintHash(f: Finding): string {
  return createHash('sha256').update(f.fingerprint).digest('hex');
}

function sarifRule(r: RuleInfo, docUrl: string | undefined): Sarif.ReportingDescriptor {
  return {
    id: r.id,
    name: r.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: `${r.title}. Behaviour behind the rule: ${r.reference}` },
    ...(docUrl ? { helpUri: `${docUrl}#${r.area}` } : {}),
    help: { text: `${r.title}.\n\nBehaviour behind the rule: ${r.reference}`, markdown: `**${r.title}.**\n\nBehaviour behind the rule: \`${r.reference.replace(/`/g, "'")}\`` },
    defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
    properties: { tags: ['gitops', 'argocd', r.area] },
  };
}

/**
 * The report's findings as one SARIF 2.1.0 log with one run. Rules that raised findings but are not in
 * the catalogue (none, normally) are described from the findings themselves.
 */
export function renderSarif(report: Report, opts: SarifOptions = {}): Sarif.Log {
  const catalogue = opts.rules ?? RULES;
  const docUrl = opts.rulesDocUrl;
  const rules = [...catalogue.values()].map((r) => sarifRule(r, docUrl));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  for (const f of report.findings) {
    if (index.has(f.rule)) continue;
    index.set(f.rule, rules.length);
    rules.push({ id: f.rule, shortDescription: { text: f.rule }, fullDescription: { text: f.reference }, defaultConfiguration: { level: LEVEL[f.severity] } });
  }
  const results: Sarif.Result[] = report.findings.map((f) => {
    const region: Sarif.Region = { startLine: f.line, startColumn: Math.max(1, f.column) };
    if (f.endLine && f.endLine >= f.line) region.endLine = f.endLine;
    if (f.endColumn && (f.endLine ?? f.line) >= f.line) region.endColumn = Math.max(1, f.endColumn);
    return {
      ruleId: f.rule,
      ruleIndex: index.get(f.rule)!,
      level: LEVEL[f.severity],
      message: { text: `${f.message}\nFix: ${f.fix}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: encodePath(f.file), uriBaseId: '%SRCROOT%' }, region } }],
      ...(f.related?.length
        ? {
            relatedLocations: f.related.map((r, i) => ({
              id: i + 1,
              physicalLocation: { artifactLocation: { uri: encodePath(r.file), uriBaseId: '%SRCROOT%' }, region: { startLine: r.line, startColumn: Math.max(1, r.column) } },
              message: { text: r.message },
            })),
          }
        : {}),
      partialFingerprints: { 'gitopsGateFinding/v1': fingerprintHash(f) },
      baselineState: f.status === 'pre-existing' ? 'unchanged' : 'new',
      ...(f.subject ? { properties: { subject: f.subject } } : {}),
    };
  });
  const run: Sarif.Run = {
    tool: { driver: { name: 'gitops-gate', semanticVersion: report.tool.version, version: report.tool.version, ...(docUrl ? { informationUri: docUrl } : {}), rules } },
    results,
    invocations: [{ executionSuccessful: true, endTimeUtc: report.evaluatedAt }],
    // Columns come from the YAML parser's string offsets: UTF-16 code units.
    columnKind: 'utf16CodeUnits',
  };
  const web = repositoryWeb(report);
  if (web) run.versionControlProvenance = [{ repositoryUri: `${web.server}/${web.repository}`, revisionId: report.change.headSha }];
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}
