/** Problems found by the service before they become LSP diagnostics, and their stable codes. */

export type Severity = "error" | "warning" | "information" | "hint";
export type JsonPath = (string | number)[];

/** A problem located by a JSON path inside the checked value (a schema document or one dataset line). */
export interface PathProblem {
  code: string;
  severity: Severity;
  message: string;
  path: JsonPath;
  /** Point at the property key rather than its value. */
  key?: boolean;
  /** Extra facts for quick fixes (JSON only: it travels in Diagnostic.data). */
  data?: FixData;
}

/** A problem located by offsets in the checked text (a whole schema file, or one dataset line). */
export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  start: number;
  end: number;
  data?: FixData;
}

/** What a quick fix needs to know; the paths are relative to the same root as the problem. */
export type FixData =
  | { fix: "required"; name: string; schemaPath: JsonPath; requiredIndex: number }
  | { fix: "rename"; name: string; suggestion: string; namePath: JsonPath }
  | { fix: "renameAll"; name: string; suggestion: string }
  | { fix: "dropRequired"; name: string; schemaPath: JsonPath; requiredIndex: number }
  | { fix: "bfcl"; toolPath: JsonPath }
  | { fix: "moveStrict"; toolPath: JsonPath }
  | { fix: "type"; suggestion: string; typePath: JsonPath };

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/**
 * Stable diagnostic codes of the tool-schema language server and `tooln1 check`. Codes coming from
 * the pure core (src/core/schema.ts, callcheck.ts, sample.ts) pass through unchanged.
 */
export const CODES = {
  jsonSyntax: "json_syntax",
  lineTooLong: "line_too_long",
  invalidUtf8: "invalid_utf8",
  sampleNotObject: "sample_not_object",
  illegalName: "illegal_tool_name",
  duplicateName: "duplicate_tool_name",
  invalidSchema: "invalid_schema",
  requiredNotInProperties: "required_not_in_properties",
  enumTypeMismatch: "enum_type_mismatch",
  defaultTypeMismatch: "default_type_mismatch",
  unknownType: "unknown_type",
  duplicateRequired: "duplicate_required",
  minGreaterThanMax: "min_greater_than_max",
  misplacedStrict: "misplaced_strict",
  bfclType: "bfcl_type",
  unresolvedRef: "unresolved_ref",
  refCycle: "ref_cycle",
  externalRef: "external_ref",
  schemaTooDeep: "schema_too_deep",
  missingDescription: "missing_description",
  missingParameterDescription: "missing_parameter_description",
  duplicateId: "duplicate_sample_id",
  paperDrop: "paper_would_drop",
  tooManyProblems: "too_many_problems",
  internalError: "internal_error",
} as const;
