<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * php/paybridge.stubs.php says exactly what the loaded extension has (what `php --re paybridge`
 * prints): the same classes and functions, each class final or not and with the same parent, the
 * same public methods, parameters (name, type, optional, default) and return types. The stubs are
 * loaded under a renamed namespace and both sides are described by the same Reflection code, so a
 * method added to the binding without its stub (or a stub the binding lacks) fails here.
 */
final class StubsTest extends PayBridgeTestCase
{
    private const STUB_NS = 'PayBridgeStubs';

    private static bool $loaded = false;

    private static function loadStubs(): void
    {
        if (self::$loaded) {
            return;
        }
        $code = file_get_contents(dirname(__DIR__) . '/paybridge.stubs.php');
        $code = preg_replace('~^namespace PayBridge(\\\\Exception)? \{~m', 'namespace ' . self::STUB_NS . '$1 {', $code, -1, $n);
        self::assertSame(2, $n, 'the stubs declare the PayBridge and PayBridge\Exception namespaces');
        $file = tempnam(sys_get_temp_dir(), 'pbstubs');
        file_put_contents($file, $code);
        require $file;
        unlink($file);
        self::$loaded = true;
    }

    /** A type or class name with the stub namespace mapped back to the real one. */
    private static function unqualified(string $name): string
    {
        return preg_replace('~(^|[|?(])\\\\?' . self::STUB_NS . '\\\\~', '$1PayBridge\\\\', $name);
    }

    private static function type(?\ReflectionType $t): ?string
    {
        return $t === null ? null : self::unqualified((string) $t);
    }

    /** @return array<string, mixed> */
    private static function describeFunction(\ReflectionFunctionAbstract $f): array
    {
        $params = [];
        foreach ($f->getParameters() as $p) {
            $params[] = [
                'name' => $p->getName(),
                'type' => self::type($p->getType()),
                'optional' => $p->isOptional(),
                'default' => $p->isDefaultValueAvailable() ? var_export($p->getDefaultValue(), true) : '(none)',
            ];
        }
        return ['params' => $params, 'returns' => self::type($f->getReturnType())];
    }

    /** @return array<string, mixed> */
    private static function describeClass(\ReflectionClass $c): array
    {
        $methods = [];
        foreach ($c->getMethods(\ReflectionMethod::IS_PUBLIC) as $m) {
            // Inherited from \Exception: PHP's own, not part of the paybridge surface.
            if ($m->getDeclaringClass()->getName() === \Exception::class) {
                continue;
            }
            $methods[$m->getName()] = self::describeFunction($m) + ['static' => $m->isStatic()];
        }
        ksort($methods);
        $parent = $c->getParentClass();
        return [
            'final' => $c->isFinal(),
            'abstract' => $c->isAbstract(),
            'parent' => $parent ? self::unqualified($parent->getName()) : null,
            'methods' => $methods,
        ];
    }

    /** @return array{array<string, mixed>, array<string, mixed>} [extension, stubs] */
    private static function surfaces(): array
    {
        self::loadStubs();
        $ext = new \ReflectionExtension('paybridge');
        $real = ['classes' => [], 'functions' => []];
        $stub = ['classes' => [], 'functions' => []];
        foreach ($ext->getClassNames() as $class) {
            $real['classes'][$class] = self::describeClass(new \ReflectionClass($class));
        }
        foreach ($ext->getFunctions() as $name => $f) {
            $real['functions'][$f->getName()] = self::describeFunction($f);
        }
        foreach (get_declared_classes() as $class) {
            if (str_starts_with($class, self::STUB_NS . '\\')) {
                $stub['classes'][self::unqualified($class)] = self::describeClass(new \ReflectionClass($class));
            }
        }
        foreach (get_defined_functions()['user'] as $f) {
            $rf = new \ReflectionFunction($f);
            if (str_starts_with($rf->getName(), self::STUB_NS . '\\')) {
                $stub['functions'][self::unqualified($rf->getName())] = self::describeFunction($rf);
            }
        }
        foreach ([&$real, &$stub] as &$side) {
            ksort($side['classes']);
            ksort($side['functions']);
        }
        return [$real, $stub];
    }

    public function testTheStubsNameEveryClassAndFunctionOfTheExtensionAndNoOther(): void
    {
        [$real, $stub] = self::surfaces();
        $this->assertNotEmpty($real['classes']);
        $this->assertSame(array_keys($real['classes']), array_keys($stub['classes']));
        $this->assertSame(array_keys($real['functions']), array_keys($stub['functions']));
    }

    public function testEveryClassOfTheStubsMatchesTheExtensionInMethodsParametersDefaultsAndReturnTypes(): void
    {
        [$real, $stub] = self::surfaces();
        foreach ($real['classes'] as $class => $want) {
            $this->assertArrayHasKey($class, $stub['classes'], $class);
            $this->assertSame($want, $stub['classes'][$class], "stubs differ from the extension for $class");
        }
    }

    public function testEveryFunctionOfTheStubsMatchesTheExtension(): void
    {
        [$real, $stub] = self::surfaces();
        foreach ($real['functions'] as $name => $want) {
            $this->assertArrayHasKey($name, $stub['functions'], $name);
            $this->assertSame($want, $stub['functions'][$name], "stubs differ from the extension for $name()");
        }
    }
}
