/**
 * Where the exporters listen, on a laptop and on the engine hosts alike: the workers' own metrics on
 * 9464, the business metrics exporter next to them on 9465, the engine's JVM (the JMX exporter agent)
 * on 9404, the port the Run image exposes for it.
 */
export const defaultExporterPort = 9465;
