"""Bench data for issue 8: synthetic 224x224 multi-label images (9 labels, each paints a
coloured stripe, plus noise), examination groups of 5, an lx-ai legacy JSONL, and a
ResNet50 (weights=None, seed 0, BatchNorm recalibrated on the data) saved as a PyTorch
state dict and exported to ONNX (output "features", the 2048-d pooled vector).
Usage: train_make_data.py WORK_DIR N_IMAGES"""
import json, os, random, sys
import numpy as np
import torch, torchvision
from PIL import Image

work, n = sys.argv[1], int(sys.argv[2])
labels = ["appendix", "blood", "ileocaecalvalve", "ileum", "low_quality", "outside", "polyp", "water_jet", "wound"]
colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (255, 0, 255), (0, 255, 255), (255, 128, 0), (128, 0, 255), (255, 255, 255)]
os.makedirs(os.path.join(work, "images"), exist_ok=True)
rng = random.Random(1)
np_rng = np.random.default_rng(1)
records = []
for i in range(n):
    present = [j for j in range(9) if rng.random() < (0.35 if j == 6 else 0.18)] or [rng.randrange(9)]
    img = np_rng.integers(40, 120, size=(224, 224, 3), dtype=np.uint8)
    for j in present:
        img[:, j * 24:(j * 24) + 20] = colours[j]
    name = f"{i:05d}.jpg"
    Image.fromarray(img).save(os.path.join(work, "images", name), quality=90)
    records.append({"labels": [labels[j] for j in present], "old_examination_id": i // 5, "old_id": i, "filename": name})
with open(os.path.join(work, "legacy.jsonl"), "w") as f:
    for r in records:
        f.write(json.dumps(r) + "\n")

torch.manual_seed(0)
model = torchvision.models.resnet50(weights=None)
model.fc = torch.nn.Identity()
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
def load(idx):
    xs = [torch.from_numpy(np.asarray(Image.open(os.path.join(work, "images", records[i]["filename"])).convert("RGB"), dtype=np.float32) / 255).permute(2, 0, 1) for i in idx]
    return (torch.stack(xs) - mean) / std
# Random BatchNorm statistics collapse the features: recalibrate them on the data (notes/training-bench.md).
for m in model.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.reset_running_stats(); m.momentum = None
model.train()
with torch.no_grad():
    for s in range(0, min(n, 200), 25):
        model(load(range(s, min(s + 25, n, 200))))
model.eval()
torch.save(model.state_dict(), os.path.join(work, "resnet50.pt"))
torch.onnx.export(model, torch.zeros(1, 3, 224, 224), os.path.join(work, "resnet50.onnx"), input_names=["input"], output_names=["features"], dynamic_axes={"input": {0: "N"}, "features": {0: "N"}}, opset_version=17)
print(json.dumps({"images": n}))
