namespace Reelgate.Server;

/// <summary>
/// Wraps a service that another registration added (the storage backend's callback outbox) without
/// knowing its implementation: the last registration of the service is replaced by one that builds
/// it as before and hands it to the decorator.
/// </summary>
public static class ServiceDecoration
{
    public static IServiceCollection Decorate<TService>(this IServiceCollection services, Func<IServiceProvider, TService, TService> decorate)
        where TService : class
    {
        var index = services.Count - 1;
        while (index >= 0 && (services[index].ServiceType != typeof(TService) || services[index].IsKeyedService))
        {
            index--;
        }

        if (index < 0)
        {
            throw new InvalidOperationException($"{typeof(TService).Name} is not registered, so it cannot be decorated: register the storage backend first");
        }

        var inner = services[index];
        services[index] = new ServiceDescriptor(typeof(TService), sp => decorate(sp, (TService)Create(sp, inner)), inner.Lifetime);
        return services;
    }

    private static object Create(IServiceProvider sp, ServiceDescriptor inner) =>
        inner.ImplementationInstance
        ?? inner.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!);
}
