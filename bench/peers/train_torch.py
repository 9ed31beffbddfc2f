"""The PyTorch side of bench `train`, written the way lx-ai trains: frozen ResNet50, linear head,
focal loss (alpha 0.25, gamma 2) with class weights, AdamW lr 1e-3, warmup 3 epochs then cosine to
1e-6, batch 32, group split by examination (Python random, seed 42, val 0.2, test 0.1).
A frozen backbone without augmentation gives the same features every epoch, so they are computed
once; the lx-ai time (a feature pass per epoch) is reported from the measured pass time.
Usage: train_torch.py WORK_DIR EPOCHS"""
import json, math, os, random, sys, time
import numpy as np
import torch, torchvision
from PIL import Image
from sklearn.metrics import average_precision_score

work, epochs = sys.argv[1], int(sys.argv[2])
torch.manual_seed(42)
labels = ["appendix", "blood", "ileocaecalvalve", "ileum", "low_quality", "outside", "polyp", "water_jet", "wound"]
records = [json.loads(l) for l in open(os.path.join(work, "legacy.jsonl"))]
Y = torch.tensor([[1.0 if n in r["labels"] else 0.0 for n in labels] for r in records])
M = torch.ones_like(Y)
model = torchvision.models.resnet50(weights=None); model.fc = torch.nn.Identity()
model.load_state_dict(torch.load(os.path.join(work, "resnet50.pt"))); model.eval()
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1); std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
t0 = time.time()
feats = []
with torch.no_grad():
    for s in range(0, len(records), 32):
        xs = [torch.from_numpy(np.asarray(Image.open(os.path.join(work, "images", r["filename"])).convert("RGB").resize((224, 224)), dtype=np.float32) / 255).permute(2, 0, 1) for r in records[s:s + 32]]
        feats.append(model((torch.stack(xs) - mean) / std))
X = torch.cat(feats)
feature_pass = time.time() - t0

groups = []
for r in records:
    g = r["old_examination_id"]
    if g not in groups: groups.append(g)
rnd = random.Random(42); rnd.shuffle(groups)
n_test = round(0.1 * len(groups)); n_val = round(0.2 * len(groups)); n_train = len(groups) - n_val - n_test
where = {g: (0 if i < n_train else 1 if i < n_train + n_val else 2) for i, g in enumerate(groups)}
split = torch.tensor([where[r["old_examination_id"]] for r in records])
tr, va, te = [torch.nonzero(split == k).flatten() for k in range(3)]

pos = (Y * M).sum(0); w = 1.0 / (pos + 1e-6); w = w / w.mean()
def focal(z, y, m, a=0.25, g=2.0):
    p = torch.sigmoid(z).clamp(1e-6, 1 - 1e-6)
    pt = p * y + (1 - p) * (1 - y); at = a * y + (1 - a) * (1 - y)
    return (-at * (1 - pt) ** g * torch.log(pt) * w * m).sum() / m.sum().clamp(min=1)
t1 = time.time()
head = torch.nn.Linear(X.shape[1], len(labels))
opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01)
W = 3
for e in range(1, epochs + 1):
    lr = 1e-3 * e / W if e <= W else 1e-6 + (1e-3 - 1e-6) * (1 + math.cos(math.pi * (e - W - 1) / max(epochs - W, 1))) / 2
    for gp in opt.param_groups: gp["lr"] = lr
    perm = tr[torch.randperm(len(tr))]
    for s in range(0, len(perm), 32):
        b = perm[s:s + 32]
        opt.zero_grad(); loss = focal(head(X[b]), Y[b], M[b]); loss.backward(); opt.step()
head_s = time.time() - t1
with torch.no_grad():
    pv = torch.sigmoid(head(X[va])).numpy(); pt_ = torch.sigmoid(head(X[te])).numpy()
yv, yt = Y[va].numpy(), Y[te].numpy()
def f1s(p, y, th):
    out = []
    for j in range(y.shape[1]):
        pr = p[:, j] >= th[j]; tp = (pr & (y[:, j] > 0)).sum(); fp = (pr & (y[:, j] == 0)).sum(); fn = (~pr & (y[:, j] > 0)).sum()
        P = tp / (tp + fp + 1e-6); R = tp / (tp + fn + 1e-6); out.append(2 * P * R / (P + R + 1e-6))
    return float(np.mean(out))
th = []
for j in range(len(labels)):
    best, bt = -1, 0.5
    for t in sorted(set(pv[:, j].tolist())):
        pr = pv[:, j] >= t; tp = (pr & (yv[:, j] > 0)).sum(); fp = (pr & (yv[:, j] == 0)).sum(); fn = (~pr & (yv[:, j] > 0)).sum()
        f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else 0
        if f > best: best, bt = f, t
    th.append(bt)
aps = [average_precision_score(yt[:, j], pt_[:, j]) for j in range(len(labels)) if yt[:, j].sum() > 0]
print(json.dumps({"feature_pass_s": feature_pass, "head_s": head_s, "images": len(records), "test_macro_f1": f1s(pt_, yt, [0.5] * 9), "test_macro_f1_tuned": f1s(pt_, yt, th), "test_map": float(np.mean(aps))}))
