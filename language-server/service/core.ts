/**
 * The pure core as the service uses it. Every call is guarded: a bug in a checker becomes one
 * `internal_error` problem on the line, never an exception out of the service.
 */
import { readToolList, toJsonSchema, toOpenAITool, normalizeTool, toolJsonSchema, type SchemaProblem } from "../../src/core/schema";
import { indexTools, checkCall, type ToolIndex, type CallProblem } from "../../src/core/callcheck";
import { validateSample, wouldPaperDrop } from "../../src/core/sample";

export { readToolList, toJsonSchema, toOpenAITool, normalizeTool, toolJsonSchema, indexTools, checkCall, validateSample, wouldPaperDrop };
export type { SchemaProblem, ToolIndex, CallProblem };
