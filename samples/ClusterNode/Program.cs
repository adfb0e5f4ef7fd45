// One node of a cluster that shares a directory of VHD images (DESIGN.md §12): every image is owned
// by one node at a time (a cluster-sharding entity), and any node reads and writes any image, its
// requests forwarded to the owner. Start two or three, on one machine or several that mount the
// directory at the same path:
//
//   dotnet run --project samples/ClusterNode -- /shared/vhd 127.0.0.1:4053
//   dotnet run --project samples/ClusterNode -- /shared/vhd 127.0.0.1:4054 127.0.0.1:4053
//   dotnet run --project samples/ClusterNode -- /shared/vhd 127.0.0.1:4055 127.0.0.1:4053
//
// (arguments: the directory, this node's HOST:PORT, then the seed nodes; none: this node is the
// first). Ctrl-C leaves the cluster gracefully: this node's images are flushed, closed and unlocked
// before another node takes them. A node that dies instead is downed by the split brain resolver
// (keep-majority) and its images reopen on a survivor with every flushed write.
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storage.Samples.ClusterNode;
using Storage.VhdActors;
using Storage.VhdCluster;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ClusterNode DIR HOST:PORT [SEED-HOST:PORT ...]");
    return 2;
}
string directory = Path.GetFullPath(args[0]);
var node = NodeAddress.Parse(args[1]);
string[] seeds = [.. (args.Length > 2 ? args[2..] : [args[1]]).Select(s => NodeAddress.Parse(s).AkkaAddress("vhd"))];

// snippet: cluster-host
var options = new VhdStorageOptions { IdleTimeout = TimeSpan.FromMinutes(1), RequestTimeout = TimeSpan.FromSeconds(15) };
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddAkka("vhd", akka => akka
    .WithRemoting(node.Host, node.Port)
    .WithClustering(new ClusterOptions { SeedNodes = seeds, SplitBrainResolver = new KeepMajorityOption() })
    .WithVhdImageSharding(options));
builder.Services.AddVhdClusterStorage(options);
builder.Services.AddSingleton(new NodeSettings(directory, $"{node.Host}-{node.Port}"));
builder.Services.AddHostedService<NodeWorker>();
// end snippet

using var host = builder.Build();
await host.RunAsync();
return 0;
