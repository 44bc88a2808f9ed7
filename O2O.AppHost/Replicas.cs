namespace O2O.AppHost;

internal static class Replicas
{
    /// <summary>
    /// Runs <paramref name="count"/> replicas locally and says so in the publish manifest. Aspire writes
    /// a project without a deployment target (no Aspire.Hosting.Azure.AppContainers here) with no scale,
    /// so the manifest entry is written as Aspire writes it, plus <c>replicas</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublishedReplicas(this IResourceBuilder<ProjectResource> project, int count) =>
        project.WithReplicas(count).WithManifestPublishingCallback(async context =>
        {
            var metadata = project.Resource.Annotations.OfType<IProjectMetadata>().Last();
            context.Writer.WriteString("type", "project.v0");
            context.Writer.WriteString("path", context.GetManifestRelativePath(metadata.ProjectPath));
            await context.WriteCommandLineArgumentsAsync(project.Resource);
            await context.WriteEnvironmentVariablesAsync(project.Resource);
            context.WriteBindings(project.Resource);
            context.Writer.WriteNumber("replicas", count);
        });
}
