import { analysisHelper, type AnalysisHelper } from "../helper/analysis-helper";

/** The server's analysis helper as an option ({} where none runs: the analysis stays on this thread). */
export function helperOf(): { helper?: AnalysisHelper } {
  const helper = analysisHelper();
  return helper ? { helper } : {};
}
