"""Writes files in the exact layout of Python's torch.save (zip, protocol-2 pickle with
persistent storage ids, torch._utils._rebuild_tensor_v2), without PyTorch installed: the
pickle comes from Python's own pickler, an implementation independent of libtorch's unpickler.

  python3 make_torch_save_fixtures.py   # rewrites torch_save_dict.pt and torch_save_ordereddict.pt
"""
import collections
import pickle
import struct
import sys
import types
import zipfile

torch_module = types.ModuleType("torch")
utils_module = types.ModuleType("torch._utils")


def _storage_class(name):
    cls = type(name, (), {})
    cls.__module__ = "torch"
    cls.__qualname__ = name
    setattr(torch_module, name, cls)
    return cls


FloatStorage = _storage_class("FloatStorage")
LongStorage = _storage_class("LongStorage")
DoubleStorage = _storage_class("DoubleStorage")


def _rebuild_tensor_v2(*args):
    raise RuntimeError("only for pickling")


_rebuild_tensor_v2.__module__ = "torch._utils"
_rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
utils_module._rebuild_tensor_v2 = _rebuild_tensor_v2
sys.modules["torch"] = torch_module
sys.modules["torch._utils"] = utils_module


class Storage:
    def __init__(self, key, cls, fmt, values):
        self.key, self.cls, self.values = key, cls, values
        self.data = struct.pack("<" + fmt * len(values), *values)


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2,
                (self.storage, self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, "cpu", len(obj.values))
        return None


def write(path, obj, storages):
    import io
    buffer = io.BytesIO()
    TorchPickler(buffer, protocol=2).dump(obj)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", buffer.getvalue())
        archive.writestr("archive/byteorder", "little")
        for storage in storages:
            archive.writestr(f"archive/data/{storage.key}", storage.data)
        archive.writestr("archive/version", "3\n")


weights = Storage("0", FloatStorage, "f", [0.5, -1.25, 2.0, 3.5, -4.0, 8.0])
steps = Storage("1", LongStorage, "q", [1, 2, 3, 2**40])
grid = Storage("2", DoubleStorage, "d", [0.1 * i for i in range(12)])
tensors = {
    "conv.weight": Tensor(weights, 0, [2, 3], [3, 1]),
    "steps": Tensor(steps, 0, [4], [1]),
    # a transposed view of a 3x2 block at offset 2 of a 12-element storage
    "grid.T": Tensor(grid, 2, [2, 3], [1, 2]),
}
write("torch_save_dict.pt", tensors, [weights, steps, grid])
write("torch_save_ordereddict.pt", collections.OrderedDict(tensors), [weights, steps, grid])
