export * from "./projects";
export * from "./api-keys";
export * from "./events";
export * from "./model-prices";
export * from "./auth";
export * from "./members";
export * from "./policies";
export * from "./response-cache";
