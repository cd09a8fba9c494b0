/**
 * Policy settings of the description area: the TypeScript shape of `description` in policies/schema.json.
 * Values are already merged with the default policy when checks see them (policies/default.yaml sets
 * every top-level key; per-section keys left out take the defaults in {@link sectionDefaults}).
 */import type { Condition, SyncChangeKind } from '../policy/conditions.js';


/** One section the PR body may be required to have, found by its Markdown heading. */
export interface SectionSettings {
  /** Accepted heading texts, compared case-insensitively after normalisation. Default: the section's key. */
  headings?: string[];
  /** Whether every change must have this section. Default true. Conditional requirements and reverts may require it anyway. */
  required?: boolean;
  /** Fewest characters of real content (whitespace runs count as one). Default 10. */
  minLength?: number;
  /** Whether `N/A` (or `n/a`, `none`, `not applicable`) is accepted as the whole content. Default false. */
  allowNA?: boolean;
  /** Regular expressions (case-insensitive) the section's real content must each match. Default none. */
  mention?: string[];
}

/** A section's settings with every default applied. */
export interface ResolvedSection {
  /** The section's key in `description.sections`. */
  id: string;
  headings: string[];
  required: boolean;
  minLength: number;
  allowNA: boolean;
  mention: string[];
}

/** Where a ticket reference may appear. */
export type TicketPlace = 'title' | 'body' | 'branch';

/** Kinds of sync-order change a conditional requirement can react to. */
export type { SyncChangeKind };

/** Requirements a revert PR can be exempted from. */
export type RevertExemption = 'title' | 'ticket' | 'labels' | 'conditional';

/**
 * A requirement that applies only when the change matches `when`, in the policy's one condition language
 * (src/policy/conditions.ts). All conditions given in `when` must hold; `kinds` and `changes` look only at
 * resources in files matching `paths` (when given).
 */
export interface ConditionalRequirement {
  /** Name shown in the summary, for example `production sync order`. */
  name: string;
  when: Condition;
  /** Section keys that become required. */
  sections?: string[];
  /** Regular expressions (case-insensitive) a section's real content must match, keyed by section key. */
  mention?: Record<string, string[]>;
  /** Section key whose content must name the previous wave of every resource whose sync wave changed. */
  previousWaves?: string;
}

/** The `description` section of the policy. */
export interface DescriptionSettings {
  /** Sections, keyed by a short id (`why`, `rollback`). */
  sections: Record<string, SectionSettings>;
  /** Regular expressions matching a whole block of placeholder text, which does not count as content. */
  placeholders: string[];
  template: {
    /** Compare the body with the repository's PR templates. */
    enabled: boolean;
    /** Template files or directories to read instead of GitHub's locations; empty: GitHub's locations. */
    paths: string[];
  };
  ticket: {
    /** Regular expression of a ticket reference (for example `[A-Z]+-\d+`); absent: no ticket required. */
    pattern?: string;
    /** Where the reference may appear. */
    in: TicketPlace[];
  };
  title: {
    /** Regular expression the PR title must match; absent: any title. */
    pattern?: string;
    /** Plain-language description of the expected title, shown on failure. */
    hint?: string;
  };
  labels: {
    /** Labels the PR must carry (all of them, case-insensitive). */
    required: string[];
    /** Labels the PR must not carry (case-insensitive). */
    forbidden: string[];
  };
  /** `enforce`: a draft PR's failed requirements block like any other; `report`: they are reported but do not block. */
  drafts: 'enforce' | 'report';
  conditional: ConditionalRequirement[];
  reverts: {
    /** Section keys a revert PR must carry, instead of the sections marked required. */
    sections: string[];
    /** Requirements that do not apply to revert PRs. */
    exempt: RevertExemption[];
  };
}

/** Defaults of a section's settings, for keys the policy leaves out. */
export const sectionDefaults = { required: true, minLength: 10, allowNA: false } as const;

/** Applies {@link sectionDefaults} to one section. */
export function resolveSection(id: string, s: SectionSettings | undefined): ResolvedSection {
  return {
    id,
    headings: s?.headings?.length ? s.headings : [id],
    required: s?.required ?? sectionDefaults.required,
    minLength: s?.minLength ?? sectionDefaults.minLength,
    allowNA: s?.allowNA ?? sectionDefaults.allowNA,
    mention: s?.mention ?? [],
  };
}
