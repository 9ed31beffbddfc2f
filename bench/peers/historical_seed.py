"""The extraction algorithm of seed 003 ("Historical Project Training Data Extraction Plan"), as
written there: scan with rglob, group by timestamp, the quadratic find_winners, and
create_training_entries. Only the command-line wrapper and the JSONL writing are added, so the
benchmark times the seed's own code path.

Usage: historical_seed.py --raw DIR --final DIR --project NAME --output FILE.jsonl
"""
import argparse
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import List


def scan_project(raw_dir, final_dir):
    """Recursively scan both directories for all images."""
    raw_images = list(Path(raw_dir).rglob("*.png"))
    final_images = list(Path(final_dir).rglob("*.png"))
    return raw_images, final_images


def parse_filename(filename: str):
    """Extract timestamp and stage from filename."""
    # Patterns to match:
    # 20250708_060711_stage2.png
    # 20250708_060711_stage2_upscaled.png
    # 20250708_060711_stage3_enhanced.png

    import re
    match = re.match(r'(\d{8}_\d{6})_stage(\d+(?:\.\d+)?)', filename)
    if match:
        return {
            'timestamp': match.group(1),
            'stage': float(match.group(2))
        }
    return None


def group_raw_images(raw_images: List[Path]):
    """Group all raw images by timestamp."""
    groups = defaultdict(list)

    for img_path in raw_images:
        parsed = parse_filename(img_path.name)
        if parsed:
            groups[parsed['timestamp']].append({
                'path': img_path,
                'stage': parsed['stage']
            })

    return groups


def find_winners(groups: dict, final_images: List[Path]):
    """For each group, find which image (if any) is in FINAL."""
    winners = {}

    for timestamp, group_images in groups.items():
        for final_img in final_images:
            final_parsed = parse_filename(final_img.name)
            if final_parsed and final_parsed['timestamp'] == timestamp:
                # Found winner!
                winners[timestamp] = {
                    'winner': final_img,
                    'winner_stage': final_parsed['stage'],
                    'group': group_images
                }
                break

    return winners


def create_training_entries(winners: dict, project: str):
    """Create (winner, losers) pairs for training."""
    entries = []

    for timestamp, data in winners.items():
        winner_path = data['winner']
        winner_stage = data['winner_stage']

        # Find losers (images in same group, not selected)
        losers = []
        for img in data['group']:
            if img['path'].name != winner_path.name:
                losers.append(img['path'])

        if losers:  # Only create entry if there were alternatives
            entries.append({
                'project': project,
                'timestamp': timestamp,
                'chosen_path': str(winner_path),
                'chosen_stage': winner_stage,
                'neg_paths': [str(p) for p in losers],
                'neg_stages': [img['stage'] for img in data['group']
                               if img['path'].name != winner_path.name]
            })

    return entries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    parser.add_argument("--final", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    raw_images, final_images = scan_project(args.raw, args.final)
    groups = group_raw_images(raw_images)
    winners = find_winners(groups, final_images)
    entries = create_training_entries(winners, args.project)
    with open(args.output, "w") as out:
        for entry in entries:
            out.write(json.dumps(entry) + "\n")
    print(json.dumps({"raw_images": len(raw_images), "final_images": len(final_images), "groups": len(groups),
                      "winners": len(winners), "entries": len(entries)}))


if __name__ == "__main__":
    main()
