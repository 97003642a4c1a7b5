using System.Reflection;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Base of every layer and model, as PyTorch's nn.Module: named parameters, buffers and
        /// submodules (registered explicitly or found by <see cref="RegisterComponents"/>),
        /// train/eval mode, device moves and state dicts. Disposing a module disposes what it owns.
        /// </summary>
        public abstract class Module : IDisposable
        {
            private readonly OrderedDictionary<string, Parameter?> ownParameters = new();
            private readonly OrderedDictionary<string, Tensor?> ownBuffers = new();
            private readonly OrderedDictionary<string, Module> ownModules = new();
            private bool disposed;

            protected Module(string name) => this.name = name;

            private readonly string name;

            public string GetName() => name;

            public bool training { get; private set; } = true;

            // --- registration -----------------------------------------------------------------

            public void register_parameter(string parameterName, Parameter? parameter) => ownParameters[CheckName(parameterName)] = parameter;

            public void register_buffer(string bufferName, Tensor? buffer)
            {
                buffer?.DetachFromDisposeScope();
                ownBuffers[CheckName(bufferName)] = buffer;
            }

            public void register_module(string moduleName, Module module) => ownModules[CheckName(moduleName)] = module;

            /// <summary>Registers this instance's Parameter and Module fields under their field names (minus a leading underscore).</summary>
            protected void RegisterComponents()
            {
                for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                {
                    foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        var fieldName = field.Name.TrimStart('_');
                        if (field.Name.Contains('<', StringComparison.Ordinal))
                        {
                            fieldName = field.Name[1..field.Name.IndexOf('>', StringComparison.Ordinal)];
                        }

                        switch (field.GetValue(this))
                        {
                            case Parameter p when !ownParameters.ContainsKey(fieldName):
                                register_parameter(fieldName, p);
                                break;
                            case Module m when !ownModules.ContainsKey(fieldName):
                                register_module(fieldName, m);
                                break;
                        }
                    }
                }
            }

            private static string CheckName(string name)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
                {
                    throw new ArgumentException($"invalid component name '{name}': it must be non-empty and contain no '.'", nameof(name));
                }

                return name;
            }

            // --- traversal ----------------------------------------------------------------------

            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) => Named(m => m.ownParameters, recurse);

            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true) => Named(m => m.ownBuffers, recurse);

            // This module's entries of one kind, then (recursively) its children's, with dotted names.
            private IEnumerable<(string, T)> Named<T>(Func<Module, OrderedDictionary<string, T?>> own, bool recurse)
                where T : Tensor
            {
                foreach (var (key, value) in own(this))
                {
                    if (value is not null)
                    {
                        yield return (key, value);
                    }
                }

                if (recurse)
                {
                    foreach (var (childName, child) in ownModules)
                    {
                        foreach (var (key, value) in child.Named(own, true))
                        {
                            yield return ($"{childName}.{key}", value);
                        }
                    }
                }
            }

            public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

            public IEnumerable<(string name, Module module)> named_children() => ownModules.Select(m => (m.Key, m.Value));

            public IEnumerable<Module> children() => ownModules.Values;

            public IEnumerable<(string name, Module module)> named_modules()
            {
                yield return (string.Empty, this);
                foreach (var (childName, child) in ownModules)
                {
                    foreach (var (key, value) in child.named_modules())
                    {
                        yield return (key.Length == 0 ? childName : $"{childName}.{key}", value);
                    }
                }
            }

            public IEnumerable<Module> modules() => named_modules().Select(m => m.module);

            // --- modes and devices ----------------------------------------------------------------

            public virtual Module train(bool on = true)
            {
                training = on;
                foreach (var child in ownModules.Values)
                {
                    child.train(on);
                }

                return this;
            }

            public Module eval() => train(false);

            /// <summary>Moves parameters and buffers in place: the same Parameter objects, new storage.</summary>
            public Module to(Device device) => Convert(t => t.to(device));

            /// <summary>Converts floating-point parameters and buffers (integer buffers such as counters keep their type).</summary>
            public Module to(ScalarType type) => Convert(t => t.is_floating_point() ? t.to(type) : t.alias());

            public Module cpu() => to(CPU);

            public Module cuda(int index = -1) => to(new Device(DeviceType.CUDA, index));

            private Module Convert(Func<Tensor, Tensor> convert)
            {
                using var _ = no_grad();
                foreach (var tensor in named_parameters().Select(p => (Tensor)p.parameter).Concat(buffers()))
                {
                    using var converted = convert(tensor);
                    tensor.set_data(converted);
                }

                return this;
            }

            public void zero_grad()
            {
                foreach (var p in parameters())
                {
                    p.grad = null;
                }
            }

            // --- state dicts --------------------------------------------------------------------

            /// <summary>Parameters and buffers by dotted name. The tensors are the module's own: do not dispose them.</summary>
            public Dictionary<string, Tensor> state_dict()
            {
                var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var (key, p) in named_parameters())
                {
                    state[key] = p;
                }

                foreach (var (key, b) in named_buffers())
                {
                    state[key] = b;
                }

                return state;
            }

            /// <summary>
            /// Copies values into the module's tensors (converting dtype and device). With
            /// <paramref name="strict"/>, missing or unexpected names and any shape mismatch are errors.
            /// </summary>
            public (IList<string> missing_keys, IList<string> unexpected_keys) load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
            {
                var own = state_dict();
                var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
                var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
                if (strict && (missing.Count > 0 || unexpected.Count > 0))
                {
                    throw new InvalidOperationException(
                        $"state dict does not match {GetName()}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
                }

                using var _ = no_grad();
                foreach (var (key, target) in own)
                {
                    if (!source.TryGetValue(key, out var value))
                    {
                        continue;
                    }

                    if (!target.shape.SequenceEqual(value.shape))
                    {
                        throw new InvalidOperationException(
                            $"state dict entry '{key}' has shape [{string.Join(", ", value.shape)}], {GetName()} expects [{string.Join(", ", target.shape)}]");
                    }

                    target.copy_(value);
                }

                return (missing, unexpected);
            }

            /// <summary>Saves the state dict as safetensors.</summary>
            public void save(string path, IReadOnlyDictionary<string, string>? metadata = null) => save_safetensors(state_dict(), path, metadata);

            /// <summary>Loads a safetensors state dict into this module.</summary>
            public Module load(string path, bool strict = true)
            {
                var state = load_safetensors(path);
                try
                {
                    load_state_dict(state, strict);
                }
                finally
                {
                    foreach (var tensor in state.Values)
                    {
                        tensor.Dispose();
                    }
                }

                return this;
            }

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            protected virtual void Dispose(bool disposing)
            {
                if (disposed || !disposing)
                {
                    return;
                }

                disposed = true;
                foreach (var child in ownModules.Values)
                {
                    child.Dispose();
                }

                foreach (var p in ownParameters.Values)
                {
                    p?.Dispose();
                }

                foreach (var b in ownBuffers.Values)
                {
                    b?.Dispose();
                }
            }
        }

        /// <summary>A module with one input.</summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name)
                : base(name)
            {
            }

            public abstract TResult forward(T input);

            public TResult call(T input) => forward(input);
        }

        /// <summary>A module with two inputs.</summary>
        public abstract class Module<T1, T2, TResult> : Module
        {
            protected Module(string name)
                : base(name)
            {
            }

            public abstract TResult forward(T1 input1, T2 input2);

            public TResult call(T1 input1, T2 input2) => forward(input1, input2);
        }
    }
}
