"""Reference training speed: Debian's PyTorch (python3-torch) on the same work as `npm run bench:ml`.

- The small CNN (conv32-pool-conv64-pool-dense128-dense10, Adam, batch 128).
- With --vae ARCH_JSON: the conditional VAE of that architecture (server/ml/models/vae.ts, its
  critic in critic.ts, the perceptual features in perceptual.ts) trained on the loss of
  server/ml/training/vaeTask.ts: Bernoulli likelihood + KL to a learned class prior, the
  perceptual distance in a frozen CNN's batch-normalized conv stages (read from the perceptual
  model's model.json), and both players of the adversarial term (three critic passes, one on a
  detached reconstruction), one Adam step over encoder, decoder and critic.
  TensorFlow's 'same' padding is reproduced exactly (the extra row and column at the bottom and
  right), so every layer has the shapes, and the networks the parameter counts, of the TF.js ones.

Prints one JSON object: {"torch": version, "blas": the BLAS library loaded, "threads": {"1": img/s, "2": img/s},
"vae": {"params", "criticParams", "featureParams", "threads": {...}}}. Run by bench-ml, not by tests.
"""
import argparse
import ctypes
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 10
IMAGE_SIZE = 28


def loaded_blas():
    """The BLAS library PyTorch's matrix products run on. Debian links it through the libblas.so.3
    alternative: OpenBLAS where a libopenblas0 package is installed, else the reference BLAS, ~30x
    slower on dense layers (libtorch recommends "libopenblas0 | libblas3", which an installed
    libblas3 already satisfies)."""
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "/libblas.so" in line or "openblas" in line})
    return paths[0] if paths else "unknown"


BLAS = loaded_blas()
_openblas = None
try:
    _openblas = ctypes.CDLL(BLAS).openblas_set_num_threads
except (OSError, AttributeError):
    pass


def set_threads(threads):
    """PyTorch's own pool and OpenBLAS's (which torch.set_num_threads does not reach here)."""
    torch.set_num_threads(threads)
    if _openblas:
        _openblas(threads)


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


def median_step_seconds(step, steps, warmup=3):
    times = []
    for i in range(steps + warmup):
        t0 = time.perf_counter()
        step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def cnn_img_per_sec(threads, steps, batch):
    set_threads(threads)
    torch.manual_seed(0)
    model = small_cnn()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.rand(batch, 1, IMAGE_SIZE, IMAGE_SIZE)
    y = torch.randint(0, NUM_CLASSES, (batch,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return batch / median_step_seconds(step, steps)


# ---- the conditional VAE, layer for layer as in server/ml/models/vae.ts -------------------------

class SameConv(nn.Module):
    """A Conv2D with TensorFlow's 'same' padding: output ceil(size / stride), the odd extra pixel of
    padding at the bottom and right."""

    def __init__(self, cin, cout, kernel, stride, size, bias=True):
        super().__init__()
        self.out_size = math.ceil(size / stride)
        total = max((self.out_size - 1) * stride + kernel - size, 0)
        lo, hi = total // 2, total - total // 2
        self.pad = nn.ZeroPad2d((lo, hi, lo, hi)) if lo != hi else None
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding=0 if self.pad else lo, bias=bias)

    def forward(self, x):
        return self.conv(self.pad(x) if self.pad else x)


def upsample(cin, cout):
    """conv2dTranspose(kernel 4, strides 2, padding 'same'): exactly doubles the size."""
    return nn.ConvTranspose2d(cin, cout, 4, 2, padding=1)


class Residual(nn.Module):
    """vae.ts residualBlock: 1x1 down to half the channels (at least 8), 3x3, 1x1 up, add, ReLU."""

    def __init__(self, channels):
        super().__init__()
        inner = max(8, channels >> 1)
        self.reduce = nn.Conv2d(channels, inner, 1)
        self.conv = nn.Conv2d(inner, inner, 3, padding=1)
        self.expand = nn.Conv2d(inner, channels, 1)

    def forward(self, x):
        h = F.relu(self.conv(F.relu(self.reduce(x))))
        return F.relu(x + self.expand(h))


class LabelMap(nn.Module):
    """vae.ts addLabelMap: a bias-free dense layer from the one-hot label, reshaped to the map."""

    def __init__(self, channels, size):
        super().__init__()
        self.shape = (channels, size, size)
        self.dense = nn.Linear(NUM_CLASSES, channels * size * size, bias=False)

    def forward(self, x, label):
        return x + self.dense(label).view(-1, *self.shape)


class Encoder(nn.Module):
    def __init__(self, a):
        super().__init__()
        f14, f7 = a["filters"]
        self.down14 = SameConv(1, f14, 3, 2, IMAGE_SIZE)
        self.res14 = nn.Sequential(*[Residual(f14) for _ in range(a["encoderResBlocks"])])
        self.down7 = SameConv(f14, f7, 3, 2, self.down14.out_size)
        self.res7 = nn.Sequential(*[Residual(f7) for _ in range(a["encoderResBlocks"])])
        side = self.down7.out_size
        self.dense = nn.Linear(side * side * f7 + NUM_CLASSES, a["dense"])
        self.mean = nn.Linear(a["dense"], a["latent"])
        self.log_var = nn.Linear(a["dense"], a["latent"])
        self.prior_mean = nn.Linear(NUM_CLASSES, a["latent"], bias=False) if a["prior"] == "class" else None

    def forward(self, x, label):
        h = self.res14(F.relu(self.down14(x)))
        h = self.res7(F.relu(self.down7(h)))
        h = F.relu(self.dense(torch.cat([h.flatten(1), label], 1)))
        prior = self.prior_mean(label) if self.prior_mean is not None else None
        return self.mean(h), self.log_var(h), prior


class Decoder(nn.Module):
    def __init__(self, a):
        super().__init__()
        f14, f7 = a["filters"]
        self.f7 = f7
        self.dense = nn.Linear(a["latent"] + NUM_CLASSES, a["dense"])
        self.dense7 = nn.Linear(a["dense"] + NUM_CLASSES, 7 * 7 * f7)
        self.label7 = LabelMap(f7, 7)
        self.res7 = nn.Sequential(*[Residual(f7) for _ in range(a["resBlocks"])])
        self.up14 = upsample(f7, f14)
        self.label14 = LabelMap(f14, 14)
        self.res14 = nn.Sequential(*[Residual(f14) for _ in range(a["resBlocks"])])
        if a["fullRes"] > 0:
            self.up28 = upsample(f14, a["fullRes"])
            self.res28 = nn.Sequential(*[Residual(a["fullRes"]) for _ in range(a["resBlocks"])])
            self.logits = nn.Conv2d(a["fullRes"], 1, 3, padding=1)
        else:
            self.up28 = None
            self.logits = upsample(f14, 1)
        self.label_out = LabelMap(1, IMAGE_SIZE)

    def forward(self, z, label):
        h = F.relu(self.dense(torch.cat([z, label], 1)))
        h = F.relu(self.dense7(torch.cat([h, label], 1))).view(-1, self.f7, 7, 7)
        h = self.res7(self.label7(h, label))
        h = self.res14(self.label14(F.relu(self.up14(h)), label))
        if self.up28 is not None:
            h = self.res28(F.relu(self.up28(h)))
        return self.label_out(self.logits(h), label)


class Critic(nn.Module):
    """critic.ts buildCritic: stride-2 'same' convolutions (kernel 4) with leaky ReLUs, a dense layer
    that sees the label, one logit."""

    def __init__(self, filters, dense):
        super().__init__()
        convs, cin, size = [], 1, IMAGE_SIZE
        for f in filters:
            conv = SameConv(cin, f, 4, 2, size)
            convs.append(conv)
            cin, size = f, conv.out_size
        self.convs = nn.ModuleList(convs)
        self.dense = nn.Linear(size * size * cin + NUM_CLASSES, dense)
        self.logit = nn.Linear(dense, 1)

    def forward(self, x, label):
        for conv in self.convs:
            x = F.leaky_relu(conv(x), 0.2)
        h = F.leaky_relu(self.dense(torch.cat([x.flatten(1), label], 1)), 0.2)
        return self.logit(h).view(-1)


class Features(nn.Module):
    """perceptual.ts featureExtractor: the garment CNN of model.json up to its `stages`-th batch norm,
    in inference mode, returning each bnN output."""

    def __init__(self, model_json, stages):
        super().__init__()
        with open(model_json) as f:
            layers = json.load(f)["modelTopology"]["config"]["layers"]
        wanted = [f"bn{i + 1}" for i in range(stages)]
        self.ops, self.taps = nn.ModuleList(), []
        cin, size = 1, IMAGE_SIZE
        for layer in layers:
            kind, c = layer["class_name"], layer["config"]
            if kind == "Conv2D":
                if c["padding"] != "same" or c["strides"] != [1, 1] or c["activation"] != "linear":
                    raise SystemExit(f"perceptual model: unexpected conv {layer['name']}")
                self.ops.append(SameConv(cin, c["filters"], c["kernel_size"][0], 1, size, bias=c["use_bias"]))
                cin = c["filters"]
            elif kind == "BatchNormalization":
                self.ops.append(nn.BatchNorm2d(cin, eps=c["epsilon"]))
                if layer["name"] in wanted:
                    self.taps.append(len(self.ops) - 1)
            elif kind == "ReLU" or (kind == "Activation" and c["activation"] == "relu"):
                self.ops.append(nn.ReLU())
            elif kind == "MaxPooling2D":
                self.ops.append(nn.MaxPool2d(c["pool_size"][0], c["strides"][0]))
                size //= c["strides"][0]
            elif kind != "InputLayer":
                break
            if len(self.taps) == stages:
                break
        if len(self.taps) != stages:
            raise SystemExit(f"perceptual model: found {len(self.taps)} of {stages} batch-norm stages")
        self.eval()
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        out = []
        for i, op in enumerate(self.ops):
            x = op(x)
            if i in self.taps:
                out.append(x)
        return out


def count(module):
    return sum(p.numel() for p in module.parameters())


def build_vae(a):
    torch.manual_seed(1)
    enc, dec = Encoder(a), Decoder(a)
    critic = Critic(a["criticFilters"], a["criticDense"]) if a["adversarialWeight"] > 0 else None
    features = Features(f"{a['perceptualModel']}/model.json", a["perceptualLayers"]) if a["perceptualWeight"] > 0 else None
    return enc, dec, critic, features


def vae_img_per_sec(a, threads, steps, batch):
    set_threads(threads)
    enc, dec, critic, features = build_vae(a)
    params = list(enc.parameters()) + list(dec.parameters()) + (list(critic.parameters()) if critic else [])
    opt = torch.optim.Adam(params, 1e-3)
    x = torch.rand(batch, 1, IMAGE_SIZE, IMAGE_SIZE)
    label = F.one_hot(torch.randint(0, NUM_CLASSES, (batch,)), NUM_CLASSES).float()

    def step():
        mean, log_var, prior = enc(x, label)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        logits = dec(z, label)
        # vaeTask.ts bernoulliNll and gaussianKl, per image
        nll = (F.relu(logits) - logits * x + torch.log1p(torch.exp(-logits.abs()))).flatten(1).sum(1)
        offset = mean - prior if prior is not None else mean
        kl = 0.5 * (torch.exp(log_var) + offset.square() - (1 + log_var)).sum(1)
        per_image = nll + a["beta"] * kl
        recon = torch.sigmoid(logits)
        if features is not None:
            with torch.no_grad():
                fa = features(x)  # data: no gradient reaches it in TF.js either
            fb = features(recon)
            dist = sum(IMAGE_SIZE * IMAGE_SIZE * (F.relu(p) - F.relu(q)).square().flatten(1).mean(1) for p, q in zip(fa, fb))
            per_image = per_image + a["perceptualWeight"] * dist
        if critic is not None:
            d_real, d_fake, d_fake_cut = critic(x, label), critic(recon, label), critic(recon.detach(), label)
            critic_term = F.softplus(-d_real) + F.softplus(d_fake_cut)
            generator = F.softplus(-d_fake) - F.softplus(-d_fake_cut)
            per_image = per_image + critic_term + a["adversarialWeight"] * generator
        opt.zero_grad()
        per_image.mean().backward()
        opt.step()

    return batch / median_step_seconds(step, steps)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("steps", nargs="?", type=int, default=30)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--vae", help="the VAE architecture as JSON, every field given (VaeArchSchema parsed)")
    p.add_argument("--threads", default="1,2")
    args = p.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    out = {"torch": torch.__version__, "blas": BLAS, "threads": {str(t): round(cnn_img_per_sec(t, args.steps, args.batch), 1) for t in threads}}
    if args.vae:
        a = json.loads(args.vae)
        enc, dec, critic, features = build_vae(a)
        out["vae"] = {
            "params": count(enc) + count(dec),
            "criticParams": count(critic) if critic else 0,
            "featureParams": count(features) + sum(b.numel() for b in features.buffers() if b.dtype.is_floating_point) if features else 0,
            "threads": {str(t): round(vae_img_per_sec(a, t, args.steps, args.batch), 1) for t in threads},
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
