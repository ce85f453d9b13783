"""PyTorch peer for MLCardiac's U-Net training benchmark (bench/MLCardiac.Bench, `train`).

Builds the same 2D U-Net as MLCardiac.Models.UNet2d (two conv3x3-InstanceNorm(affine)-LeakyReLU(0.01)
blocks per stage, stride-2 convolution to go down, 2x2 transposed convolution to go up, concatenated
skips, 1x1 head) with the same loss (soft Dice over foreground classes + cross-entropy) and AdamW, then
serves timing requests on stdin so the .NET side can interleave rounds with its own:
  line "STEPS k" -> runs k training steps, prints {"seconds": s} (time in-process, imports excluded);
  line "INFER k" -> runs k eval-mode forward passes of a 10-slice stack, prints {"seconds": s}.
Arguments: BASE_FILTERS DEPTH SIZE BATCH THREADS
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout, stride):
    return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.InstanceNorm2d(cout, affine=True), nn.LeakyReLU(0.01)]


class UNet(nn.Module):
    def __init__(self, base, depth, classes=4, max_filters=320):
        super().__init__()
        f = [min(base << s, max_filters) for s in range(depth + 1)]
        self.enc = nn.ModuleList()
        for s in range(depth + 1):
            cin = 1 if s == 0 else f[s - 1]
            self.enc.append(nn.Sequential(*block(cin, f[s], 1 if s == 0 else 2), *block(f[s], f[s], 1)))
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for s in range(depth - 1, -1, -1):
            self.up.append(nn.ConvTranspose2d(f[s + 1], f[s], 2, stride=2, bias=False))
            self.dec.append(nn.Sequential(*block(2 * f[s], f[s], 1), *block(f[s], f[s], 1)))
        self.head = nn.Conv2d(f[0], classes, 1)

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
    onehot = F.one_hot(labels, logits.shape[1]).permute(0, 3, 1, 2)[:, 1:].float()
    inter = (probs * onehot).sum((0, 2, 3))
    den = probs.sum((0, 2, 3)) + onehot.sum((0, 2, 3))
    return ce + 1 - ((2 * inter + 1e-5) / (den + 1e-5)).mean()


def main():
    base, depth, size, batch, threads = (int(a) for a in sys.argv[1:6])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = UNet(base, depth)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
    x = torch.randn(batch, 1, size, size)
    y = torch.randint(0, 4, (batch, size, size))

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    stack = torch.randn(10, 1, size, size)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] not in ("STEPS", "INFER"):
            break
        if parts[0] == "STEPS":
            net.train()
            start = time.perf_counter()
            for _ in range(int(parts[1])):
                step()
        else:
            net.eval()
            with torch.no_grad():
                net(stack)
                start = time.perf_counter()
                for _ in range(int(parts[1])):
                    net(stack)
        print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)


if __name__ == "__main__":
    main()
