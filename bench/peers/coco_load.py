"""Peer for bench `coco`: what `pycocotools.coco.COCO(path)` does when it loads a file.

pycocotools is not installed here, so this reproduces its `COCO.__init__` and `createIndex`
(cocodataset/cocoapi, PythonAPI/pycocotools/coco.py) step by step: `json.load` of the whole file,
then the dicts `anns`, `imgs`, `cats` and the `defaultdict(list)`s `imgToAnns`, `catToImgs`.
Usage: coco_load.py FILE  (prints one JSON line of counts for the cross-check)
"""

import json
import sys
import time
from collections import defaultdict


class COCO:
    def __init__(self, annotation_file=None):
        # load dataset
        self.dataset, self.anns, self.cats, self.imgs = dict(), dict(), dict(), dict()
        self.imgToAnns, self.catToImgs = defaultdict(list), defaultdict(list)
        if annotation_file is not None:
            print("loading annotations into memory...", file=sys.stderr)
            tic = time.time()
            with open(annotation_file, "r") as f:
                dataset = json.load(f)
            assert type(dataset) == dict, "annotation file format {} not supported".format(type(dataset))
            print("Done (t={:0.2f}s)".format(time.time() - tic), file=sys.stderr)
            self.dataset = dataset
            self.createIndex()

    def createIndex(self):
        # create index
        print("creating index...", file=sys.stderr)
        anns, cats, imgs = {}, {}, {}
        imgToAnns, catToImgs = defaultdict(list), defaultdict(list)
        if "annotations" in self.dataset:
            for ann in self.dataset["annotations"]:
                imgToAnns[ann["image_id"]].append(ann)
                anns[ann["id"]] = ann

        if "images" in self.dataset:
            for img in self.dataset["images"]:
                imgs[img["id"]] = img

        if "categories" in self.dataset:
            for cat in self.dataset["categories"]:
                cats[cat["id"]] = cat

        if "annotations" in self.dataset and "categories" in self.dataset:
            for ann in self.dataset["annotations"]:
                catToImgs[ann["category_id"]].append(ann["image_id"])

        print("index created!", file=sys.stderr)

        # create class members
        self.anns = anns
        self.imgToAnns = imgToAnns
        self.catToImgs = catToImgs
        self.imgs = imgs
        self.cats = cats


def main():
    coco = COCO(sys.argv[1])
    print(json.dumps({"images": len(coco.imgs), "annotations": len(coco.anns), "categories": len(coco.cats)}))


if __name__ == "__main__":
    main()
