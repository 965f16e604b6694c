using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using MailTls.Probing;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>No MailKit, MimeKit, BouncyCastle or DnsClient type crosses into anything public (DESIGN.md, STYLE.md).</summary>
    public class PublicSurfaceTests
    {
        private static readonly string[] Isolated = { "MailKit", "MimeKit", "BouncyCastle.Cryptography", "DnsClient" };

        [Fact]
        public void Public_types_of_the_model_and_the_core_use_no_isolated_library()
        {
            var offenders = new List<string>();
            foreach (var assembly in new[] { typeof(EndpointReport).Assembly, typeof(EndpointProber).Assembly })
            {
                foreach (var type in assembly.GetExportedTypes())
                {
                    foreach (var used in TypesUsedBy(type))
                    {
                        if (Isolated.Contains(used.Assembly.GetName().Name))
                        {
                            offenders.Add($"{type.FullName} uses {used.FullName}");
                        }
                    }
                }
            }

            Assert.Empty(offenders);
        }

        [Fact]
        public void The_model_depends_on_nothing_but_the_framework()
        {
            var references = typeof(EndpointReport).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
            Assert.Equal(new[] { "netstandard" }, references);
        }

        private static IEnumerable<Type> TypesUsedBy(Type type)
        {
            const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            if (type.BaseType != null)
            {
                yield return type.BaseType;
            }

            foreach (var implemented in type.GetInterfaces())
            {
                yield return implemented;
            }

            foreach (var member in type.GetMembers(Public))
            {
                switch (member)
                {
                    case PropertyInfo property:
                        yield return property.PropertyType;
                        break;
                    case FieldInfo field:
                        yield return field.FieldType;
                        break;
                    case MethodBase method:
                        foreach (var parameter in method.GetParameters())
                        {
                            yield return parameter.ParameterType;
                        }

                        if (method is MethodInfo info)
                        {
                            yield return info.ReturnType;
                        }

                        break;
                }
            }
        }
    }
}
