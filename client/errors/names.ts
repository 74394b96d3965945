import { BaseError } from "./base";

/** A data-category name that is not in the table of docs/consent.md (nor `bit-N` with N in 0-63). */
export class UnknownCategoryError extends BaseError {
  override name = "UnknownCategoryError";
  readonly category: string;
  constructor({ category }: { category: string }) {
    super(`unknown data category "${category}"`, { details: "use a name of docs/consent.md's table (identity, contact, purchase-history, ...) or bit-N" });
    this.category = category;
  }
}

/** A categories bitmap that is not a uint64. */
export class InvalidCategoriesError extends BaseError {
  override name = "InvalidCategoriesError";
  constructor({ value }: { value: bigint }) {
    super(`categories ${value} is not a uint64 bitmap`);
  }
}
