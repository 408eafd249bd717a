using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Pipelines.MachineLearning.Benchmarks.KMeansUpdateBenchmarks).Assembly).Run(args);
