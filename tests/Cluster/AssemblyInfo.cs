using Xunit;

// Cluster tests time heartbeats and failure detection: one at a time, so two clusters never compete for two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
