/** Historical winner/loser extraction (seed 003): the public surface of `kernel/src/historical`. */
export { parseImageName, explainUnparsedName, DEFAULT_IMAGE_EXTENSIONS, type ParsedImageName } from "./parse-name.js";
export { scanImageTree, type ScanOptions, type ScanResult, type ScannedImage, type UnparsedFile, type UnreadableFile } from "./scan.js";
export { groupRawImages, type GroupIndex, type GroupingMode, type RawGroup } from "./group.js";
export { matchFinalImages, findTwin, pathFit, type AmbiguousMatch, type MatchResult, type OrphanFinal, type OrphanReason, type TwinMatch, type WinnerMatch } from "./match.js";
export { parseImageSize, probeImageFileSync, readImageInfo, type ImageFileInfo, type ImageProbe, type ImageSize } from "../util/image-size.js";
export { detectCrop, DEFAULT_CROP_SECONDS, type CropSignals } from "./crop.js";
export { pairsOfRecord, type PreferencePair, type ProjectImageRecord } from "./records.js";
export { sumCounts, type ExtractionReport, type ProjectReport, type ProjectRoot, type ReportCounts, type ReportedFile } from "./report.js";
export { extractHistorical, type HistoricalOptions, type HistoricalProject, type HistoricalResult } from "./extract.js";
export { writeHistoricalOutputs, type HistoricalOutputPaths } from "./write-outputs.js";
export { parseProjectPaths, readProjectPaths } from "./config.js";
export { historicalCharts, type HistoricalCharts } from "./charts.js";
export { makeHistoricalSample, type HistoricalSample } from "./sample.js";
export { parsePythonList, tryParsePythonList, formatPythonList, type PythonListResult } from "./python-literal.js";
