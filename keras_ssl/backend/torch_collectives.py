"""Collectives for PyTorch: `torch.distributed`, one process per replica.

`torchrun` starts the processes and `torch.distributed.init_process_group`
joins them (gloo on CPU, nccl on GPU); until then there is one replica and
every collective is the identity. The autograd functions below give the
adjoints of the collectives, as TensorFlow does for its own: the gradient
of `all_gather` is the sum of every replica's output gradient, sliced back
to the local rows; that of a sum `all_reduce` is the sum of every replica's
output gradient. With each replica differentiating `loss / num_replicas`
and the gradients summed over replicas (`sum_gradients`), the update is the
one device's update on the global batch.
"""

import torch
import torch.distributed as dist


def _initialized():
    return dist.is_available() and dist.is_initialized()


def num_replicas():
    return dist.get_world_size() if _initialized() else 1


def replica_id():
    return dist.get_rank() if _initialized() else 0


def _gather_sizes(size, device):
    local = torch.tensor([size], dtype=torch.int64, device=device)
    sizes = [torch.zeros_like(local) for _ in range(dist.get_world_size())]
    dist.all_gather(sizes, local)
    return [int(s.item()) for s in sizes]


class _AllGather(torch.autograd.Function):
    """Concatenates every replica's rows (counts may differ) along dim 0."""

    @staticmethod
    def forward(ctx, x):
        sizes = _gather_sizes(x.shape[0], x.device)
        ctx.sizes, ctx.rank = sizes, dist.get_rank()
        # dist.all_gather needs equal shapes: pad to the largest count.
        padded = x.new_zeros((max(sizes),) + tuple(x.shape[1:]))
        padded[: x.shape[0]] = x
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded.contiguous())
        return torch.cat([p[:n] for p, n in zip(parts, sizes)], dim=0)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        start = sum(ctx.sizes[: ctx.rank])
        return grad[start : start + ctx.sizes[ctx.rank]]


class _AllReduceSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x = x.clone()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad


def all_gather(x, axis):
    gathered = _AllGather.apply(torch.movedim(x, axis, 0))
    return torch.movedim(gathered, 0, axis)


def all_reduce(x, op):
    total = _AllReduceSum.apply(x)
    return total / dist.get_world_size() if op == "mean" else total


def global_rows(count):
    # Python ints: torch shapes (random draws of the global batch) need them.
    counts = _gather_sizes(int(count), _device())
    return sum(counts), sum(counts[: dist.get_rank()])


def _device():
    # nccl communicates CUDA tensors only.
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def _unflat(flat, like):
    parts, start = [], 0
    for t in like:
        parts.append(flat[start : start + t.numel()].view_as(t))
        start += t.numel()
    return parts


def _dtypes_in_order(tensors):
    # The same order on every replica (a set's order may differ between
    # processes), so that the collectives pair up.
    return list(dict.fromkeys(t.dtype for t in tensors))


def sum_gradients(grads):
    """Sums `grads` over replicas in one flat all-reduce per dtype."""
    summed = list(grads)
    for dtype in _dtypes_in_order(grads):
        index = [i for i, g in enumerate(grads) if g.dtype == dtype]
        flat = _flat([grads[i] for i in index])
        dist.all_reduce(flat)
        for i, part in zip(index, _unflat(flat, [grads[i] for i in index])):
            summed[i] = part
    return summed


@torch.no_grad()
def broadcast_from_first_replica(tensors):
    """Copies replica 0's values into `tensors` on every replica."""
    for dtype in _dtypes_in_order(tensors):
        group = [t for t in tensors if t.dtype == dtype]
        flat = _flat(group)
        dist.broadcast(flat, src=0)
        for t, part in zip(group, _unflat(flat, group)):
            t.copy_(part)
