using System;
using System.Collections.Generic;
using Cnn.Runtime.Network;
using Cnn.Runtime.Summary;
using FashionBnExample;
using LeNet5Example;

namespace ToolsExample;

/// <summary>The networks the tools can summarize and run, by their <c>--model</c> name.</summary>
internal static class KnownModels
{
    /// <summary>Each model's summary table and a factory taking the worker count.</summary>
    public static IReadOnlyDictionary<string, (ModelSummary Summary, Func<int, NetworkBase> Create)> All { get; } =
        new Dictionary<string, (ModelSummary, Func<int, NetworkBase>)>
        {
            ["lenet5"] = (LeNet5.Summary, workers => new LeNet5(0, workers)),
            ["fashionbn"] = (FashionBn.Summary, workers => new FashionBn(0, workers)),
        };
}
