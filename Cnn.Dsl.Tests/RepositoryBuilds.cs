using Xunit;

namespace Cnn.Dsl.Tests;

/// <summary>
/// Test classes that run <c>dotnet</c> on the repository's own projects (pack, or build them as project references): they share
/// those projects' <c>obj</c> folders, and one restoring with its own packages folder while another compiles broke the compile
/// (a fresh clone's first run), so xunit runs them one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RepositoryBuilds
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Builds of the repository's projects";
}
