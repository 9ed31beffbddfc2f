/** `trainset export frames`: endoreg-db's `export_frame_annot` over a video-library file. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { exportAnnotated } from "../../export/export-annotated.js";
import type { ExportAnnotatedPayload } from "../../export/export-payload.js";
import { numberFlag, requirePositionals } from "../args.js";
import { DB_OPTIONS, DB_USAGE, openVideoSource } from "../db-flags.js";
import { println, UsageError, type CliCommand } from "../command.js";
import { withProgressBar } from "../progress-bar.js";

const usage = `Usage: trainset export frames (--library FILE | --db URL) --video-id N --output-dir DIR [options]

Writes the frame-annotation table (17 endoreg-db columns) of a video's segments, and optionally
videos/video_<id>_<hash>.mp4 and frames/video_<id>/ images. Refuses videos that are not
anonymization-validated before writing anything.

Options:
  --library FILE          the video-library JSON (library_version 1)
  --video-id N            the video to export
  --output-dir DIR        export folder (everything stays inside it)
  --output-path P         table path inside DIR (default annotations.<format>)
  --output-format F       csv | json (default from --output-path, else csv)
  --segment-ids 1,2       only these segments
  --use-export-flags      only segments marked export_segment (or all with export_segments_by_video)
  --export-videos         copy the processed video to videos/
  --export-frames         write frame images to frames/video_<id>/
  --transcode-frames      extract the frames from the processed video with ffmpeg
  --transcode-fps N       recorded only; frames are extracted exactly (default 30)
  --transcode-quality Q   ffmpeg -qscale:v, 1..31 (default 2)
  --transcode-ext E       jpg | png (default jpg)
  --use-frame-pk-paths    name frames frame_<frame_id>.<ext> (default: on with --transcode-frames)
  --only-true             keep only annotations whose value is true
  --json                  print the result as JSON
  --quiet                 no progress bar
${DB_USAGE}`;

/** The `export frames` command. */
export const exportFramesCommand: CliCommand = {
  name: "export frames",
  summary: "export a video's frame annotations (+ frames, video) from a video library",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...DB_OPTIONS,
        library: { type: "string" },
        "video-id": { type: "string" },
        "output-dir": { type: "string" },
        "output-path": { type: "string" },
        "output-format": { type: "string" },
        "segment-ids": { type: "string" },
        "use-export-flags": { type: "boolean" },
        "export-videos": { type: "boolean" },
        "export-frames": { type: "boolean" },
        "transcode-frames": { type: "boolean" },
        "transcode-fps": { type: "string" },
        "transcode-quality": { type: "string" },
        "transcode-ext": { type: "string" },
        "use-frame-pk-paths": { type: "boolean" },
        "only-true": { type: "boolean" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
      },
    });
    requirePositionals(positionals, 0, "");
    if ((values.library === undefined) === (values.db === undefined)) throw new UsageError("give one of --library FILE or --db URL");
    if (values["output-dir"] === undefined) throw new UsageError("missing --output-dir DIR");
    const videoId = numberFlag("video-id", values["video-id"], { min: 0, integer: true });
    if (videoId === undefined) throw new UsageError("missing --video-id N");
    const fmt = values["output-format"];
    if (fmt !== undefined && fmt !== "csv" && fmt !== "json") throw new UsageError(`--output-format must be csv or json, got "${fmt}"`);
    const segmentIds = values["segment-ids"]?.split(",").map((s) => numberFlag("segment-ids", s.trim(), { min: 0, integer: true }) as number);
    const fps = numberFlag("transcode-fps", values["transcode-fps"], { min: 0.001 });
    const quality = numberFlag("transcode-quality", values["transcode-quality"], { min: 1, max: 31, integer: true });
    const ext = values["transcode-ext"];
    if (ext !== undefined && ext !== "jpg" && ext !== "png") throw new UsageError(`--transcode-ext must be jpg or png, got "${ext}"`);
    const payload: ExportAnnotatedPayload = {
      video_id: videoId,
      output_dir: resolve(io.cwd, values["output-dir"]),
      ...(values["output-path"] === undefined ? {} : { output_path: values["output-path"] }),
      ...(fmt === undefined ? {} : { output_format: fmt }),
      ...(segmentIds === undefined ? {} : { segment_ids: segmentIds }),
      use_export_flags: values["use-export-flags"] === true,
      export_videos: values["export-videos"] === true,
      export_frames: values["export-frames"] === true,
      transcode_frames: values["transcode-frames"] === true,
      ...(fps === undefined ? {} : { transcode_fps: fps }),
      ...(quality === undefined ? {} : { transcode_quality: quality }),
      ...(ext === undefined ? {} : { transcode_ext: ext }),
      ...(values["use-frame-pk-paths"] === true ? { use_frame_pk_paths: true } : {}),
      only_true: values["only-true"] === true,
    };
    const opened = await openVideoSource(values, io, [videoId]);
    let result;
    try {
      result = await withProgressBar(io, values.quiet === true || values.json === true, (onProgress) =>
        exportAnnotated(opened.source, payload, { signal: io.signal, onProgress }),
      );
    } finally {
      await opened.close();
    }
    if (values.json === true) println(io.stdout, JSON.stringify(result, null, 2));
    else println(io.stdout, `${result.tablePath}: ${result.rows} rows, ${result.frames} frames (${result.framesExtracted} written, ${result.framesSkipped} already there)${result.videoPath === undefined ? "" : `, video ${result.videoPath}`}`);
    return 0;
  },
};
