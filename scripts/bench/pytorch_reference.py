"""Reference training speed: Debian's PyTorch (python3-torch) on the same small CNN as
`npm run bench:ml` (conv32-pool-conv64-pool-dense128-dense10, Adam, batch 128). Prints one JSON
object {"threads": {"1": img/s, "2": img/s}, "torch": version}. Run by bench-ml, not by tests."""
import json, sys, time
import torch
import torch.nn as nn

def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))

def img_per_sec(threads, steps=int(sys.argv[1]) if len(sys.argv) > 1 else 30, batch=128):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = small_cnn()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for i in range(steps + 3):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        if i >= 3:
            times.append(time.perf_counter() - t0)
    times.sort()
    return batch / times[len(times) // 2]

print(json.dumps({"torch": torch.__version__, "threads": {str(t): round(img_per_sec(t), 1) for t in (1, 2)}}))
