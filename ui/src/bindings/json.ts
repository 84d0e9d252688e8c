/** Any JSON value, as `serde_json::Value` serializes. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
