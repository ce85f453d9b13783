"""PyTorch peer for MLCardiac's 3D U-Net training benchmark (bench/MLCardiac.Bench, `train3d`).

Builds the same anisotropic 3D U-Net as MLCardiac.Models.UNet3d: per stage two conv-InstanceNorm(affine)-LeakyReLU(0.01)
blocks with kernels 1x3x3 in the first IN_PLANE stages and 3x3x3 after; down-sampling by strided convolution, in-plane
only (stride 1,2,2) into stages 1..IN_PLANE and (2,2,2) deeper; transposed convolutions with the matching stride;
concatenated skips; 1x1x1 head. Same loss (soft Dice over foreground classes + cross-entropy) and AdamW. Serves timing
requests on stdin so the .NET side can interleave rounds with its own:
  line "STEPS k" -> runs k training steps, prints {"seconds": s, "max_rss_kb": peak resident set}.
Arguments: BASE_FILTERS DEPTH IN_PLANE SIZE PATCH_DEPTH BATCH THREADS
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout, kz, stride):
    return [nn.Conv3d(cin, cout, (kz, 3, 3), stride=stride, padding=(kz // 2, 1, 1)), nn.InstanceNorm3d(cout, affine=True), nn.LeakyReLU(0.01)]


class UNet3d(nn.Module):
    def __init__(self, base, depth, in_plane, classes=4, max_filters=320):
        super().__init__()
        f = [min(base << s, max_filters) for s in range(depth + 1)]
        kz = [1 if s < in_plane else 3 for s in range(depth + 1)]
        zs = [1 if s <= in_plane else 2 for s in range(depth + 1)]
        self.enc = nn.ModuleList()
        for s in range(depth + 1):
            cin = 1 if s == 0 else f[s - 1]
            stride = (1, 1, 1) if s == 0 else (zs[s], 2, 2)
            self.enc.append(nn.Sequential(*block(cin, f[s], kz[s], stride), *block(f[s], f[s], kz[s], 1)))
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for s in range(depth - 1, -1, -1):
            k = (zs[s + 1], 2, 2)
            self.up.append(nn.ConvTranspose3d(f[s + 1], f[s], k, stride=k, bias=False))
            self.dec.append(nn.Sequential(*block(2 * f[s], f[s], kz[s], 1), *block(f[s], f[s], kz[s], 1)))
        self.head = nn.Conv3d(f[0], classes, 1)

    def forward(self, x):
        skips = []
        for stage in self.enc:
            x = stage(x)
            skips.append(x)
        for d, (up, dec) in enumerate(zip(self.up, self.dec)):
            x = dec(torch.cat([up(x), skips[-2 - d]], 1))
        return self.head(x)


def loss_fn(logits, labels):
    ce = F.cross_entropy(logits, labels)
    probs = F.softmax(logits, 1)[:, 1:]
    onehot = F.one_hot(labels, logits.shape[1]).permute(0, 4, 1, 2, 3)[:, 1:].float()
    dims = (0, 2, 3, 4)
    inter = (probs * onehot).sum(dims)
    den = probs.sum(dims) + onehot.sum(dims)
    return ce + 1 - ((2 * inter + 1e-5) / (den + 1e-5)).mean()


def main():
    base, depth, in_plane, size, patch, batch, threads = (int(a) for a in sys.argv[1:8])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = UNet3d(base, depth, in_plane)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
    x = torch.randn(batch, 1, patch, size, size)
    y = torch.randint(0, 4, (batch, patch, size, size))

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "parameters": sum(p.numel() for p in net.parameters())}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "STEPS":
            break
        net.train()
        start = time.perf_counter()
        for _ in range(int(parts[1])):
            step()
        print(json.dumps({"seconds": time.perf_counter() - start,
                          "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), flush=True)


if __name__ == "__main__":
    main()
