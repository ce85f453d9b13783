// Tests run one at a time: several train small networks with libtorch, which already uses every core.
[assembly: DoNotParallelize]
