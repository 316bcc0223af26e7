/** The review core: what changed in the models between two commits, and its renderers. */
export { formatJson, type JsonReport, toJsonReport } from "./format/json.js";
export { COMMENT_MARKER, formatMarkdown, type MarkdownOptions } from "./format/markdown.js";
export { totals } from "./format/order.js";
export { formatText } from "./format/text.js";
export { diffModel, type ModelVersions } from "./model.js";
export { type OutputOptions, type OutputResult, writeReviewOutputs } from "./output.js";
export { renderHtmlReport } from "./render/report-html.js";
export { type DiffOptions, diffRepository } from "./repository.js";
export { type EngineAccess, type Review, type ReviewRequest, review } from "./review.js";
export { addRunningInstances, annotateRunning, countRunning, processesToCount } from "./running.js";
export * from "./types.js";
