/**
 * Where exports read videos, segments, frames and annotations from. The file-backed source reads a
 * video-library JSON; a PostgreSQL source (endoreg-db tables) can implement the same interface.
 */
import { dirname, resolve } from "node:path";
import { TrainsetError } from "../util/errors.js";
import { readVideoLibrary, writeVideoLibrary, type LibraryAnnotation, type LibraryFrame, type LibraryInformationSource, type LibraryLabel, type LibrarySegment, type LibraryVideo, type VideoLibrary } from "./video-library.js";

/** Frame ids derived when the library lists no frames: `video_id * FRAME_ID_STRIDE + frame_number`. */
export const FRAME_ID_STRIDE = 1_000_000_000;

/** Read/write access to annotated videos. */
export interface VideoSource {
  /** A human name for messages (the library path, a database name). */
  readonly name: string;
  getVideo(videoId: number): LibraryVideo;
  /** Absolute path of the processed (anonymised) video file. */
  processedVideoPath(video: LibraryVideo): string;
  /** Absolute folder of already extracted frames, if the video has one. */
  frameDir(video: LibraryVideo): string | undefined;
  segments(videoId: number): LibrarySegment[];
  labels(): LibraryLabel[];
  informationSources(): LibraryInformationSource[];
  /** Frames of a video with `start <= frame_number < end`, ordered by frame number. */
  frames(video: LibraryVideo, start: number, end: number): LibraryFrame[];
  /** Annotations on the given frames. */
  annotationsForFrames(frameIds: ReadonlySet<number>): LibraryAnnotation[];
  /** Returns the id of the named information source, adding it when `create` is true. */
  informationSourceId(name: string, create: boolean): number | undefined;
  /** Stores new annotations (ids assigned here) and persists them atomically. */
  addAnnotations(rows: Array<Omit<LibraryAnnotation, "id">>): Promise<LibraryAnnotation[]>;
}

function maxId(rows: ReadonlyArray<{ id: number }>): number {
  return rows.reduce((m, r) => Math.max(m, r.id), 0);
}

/** A VideoSource over a video-library JSON file. */
export class FileVideoSource implements VideoSource {
  readonly name: string;
  private readonly root: string;

  private constructor(
    private readonly path: string,
    private readonly library: VideoLibrary,
  ) {
    this.name = path;
    this.root = dirname(resolve(path));
  }

  /**
   * Opens a library file (validated).
   * @example const source = await FileVideoSource.open("library.json");
   */
  static async open(path: string): Promise<FileVideoSource> {
    return new FileVideoSource(path, await readVideoLibrary(path));
  }

  getVideo(videoId: number): LibraryVideo {
    const video = this.library.videos.find((v) => v.id === videoId);
    if (video === undefined) throw new TrainsetError("NOT_FOUND", `Cannot find video ${videoId} in video library "${this.path}": no such id in videos`, { file: this.path, field: "video_id" });
    return video;
  }

  processedVideoPath(video: LibraryVideo): string {
    return resolve(this.root, video.processed_video_path);
  }

  frameDir(video: LibraryVideo): string | undefined {
    return video.frame_dir === undefined ? undefined : resolve(this.root, video.frame_dir);
  }

  segments(videoId: number): LibrarySegment[] {
    return this.library.segments.filter((s) => s.video_id === videoId).sort((a, b) => a.id - b.id);
  }

  labels(): LibraryLabel[] {
    return this.library.labels;
  }

  informationSources(): LibraryInformationSource[] {
    return this.library.information_sources;
  }

  frames(video: LibraryVideo, start: number, end: number): LibraryFrame[] {
    if (this.library.frames !== undefined) {
      return this.library.frames.filter((f) => f.video_id === video.id && f.frame_number >= start && f.frame_number < end).sort((a, b) => a.frame_number - b.frame_number);
    }
    const out: LibraryFrame[] = [];
    for (let n = Math.max(0, start); n < Math.min(end, video.frame_count); n++) {
      out.push({ id: video.id * FRAME_ID_STRIDE + n, video_id: video.id, frame_number: n, relative_path: `frame_${String(n).padStart(7, "0")}.jpg` });
    }
    return out;
  }

  annotationsForFrames(frameIds: ReadonlySet<number>): LibraryAnnotation[] {
    return this.library.annotations.filter((a) => frameIds.has(a.frame_id));
  }

  informationSourceId(name: string, create: boolean): number | undefined {
    const found = this.library.information_sources.find((s) => s.name === name);
    if (found !== undefined || !create) return found?.id;
    const id = maxId(this.library.information_sources) + 1;
    this.library.information_sources.push({ id, name });
    return id;
  }

  async addAnnotations(rows: Array<Omit<LibraryAnnotation, "id">>): Promise<LibraryAnnotation[]> {
    let next = maxId(this.library.annotations) + 1;
    const added = rows.map((row) => ({ id: next++, ...row }));
    this.library.annotations.push(...added);
    await writeVideoLibrary(this.path, this.library);
    return added;
  }
}
