/**
 * The words of every message sent to applicants and staff, in one place so they can be reviewed
 * together. Plain text; amounts in pounds with two decimals.
 */
import { describeDocument } from "./documents.js";

export function formatPounds(amount: number): string {
  return `£${amount.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const REJECTION_TEXT: Record<string, string> = {
  RISK_NOT_INSURABLE:
    "Unfortunately the application falls outside the criteria under which we can offer cover.",
  DECLINED_IN_REVIEW: "Our underwriters have reviewed the application and are unable to offer cover.",
  DOCUMENTS_NOT_RECEIVED: "We did not receive the documents we need to assess the application in time.",
};

export function rejectionText(reason: string): string {
  return REJECTION_TEXT[reason] ?? "We are unable to offer cover for this application.";
}

export function documentList(types: readonly string[]): string {
  if (types.length === 0) return "  - the documents you sent before, as clear and complete copies";
  return types.map((type) => `  - ${describeDocument(type)}`).join("\n");
}
