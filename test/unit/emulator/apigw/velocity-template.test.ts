import { describe, expect, test } from 'vitest';
import {
  escapeJavaScript,
  templateScope,
} from '../../../../emulator/providers/aws/apigw/lambda-integration/template-scope';
import {
  TemplateError,
  VelocityTemplate,
} from '../../../../emulator/providers/aws/apigw/lambda-integration/velocity-template';

const scope = (body: string, extra: Partial<Parameters<typeof templateScope>[0]> = {}) =>
  templateScope({
    body,
    params: {
      path: { id: '42' },
      querystring: { q: 'hello world' },
      header: { 'User-Agent': 'curl/8', 'X-Tag': 'a"b' },
    },
    context: {
      stage: 'dev',
      httpMethod: 'POST',
      identity: { sourceIp: '127.0.0.1' },
      authorizer: { principalId: 'u1' },
    },
    ...extra,
  });
const render = (template: string, body = '{}', extra = {}) =>
  new VelocityTemplate(template).render(scope(body, extra));

describe('mapping templates (Velocity subset)', () => {
  test('$input.json, $input.path, $input.body and $input.params', () => {
    const body = JSON.stringify({ name: 'Widget', tags: ['a', 'b'], nested: { n: 1 } });
    expect(
      render(
        `{"name": $input.json('$.name'), "tags": $input.json('$.tags'), "n": $input.path('$.nested.n')}`,
        body,
      ),
    ).toBe('{"name": "Widget", "tags": ["a","b"], "n": 1}');
    expect(render('$input.body', body)).toBe(body);
    expect(render(`$input.json('$')`, '')).toBe('{}');
    expect(
      render(`$input.params('id')|$input.params('q')|$input.params('user-agent')|$input.params('none')`),
    ).toBe('42|hello world|curl/8|');
    expect(render(`$input.params().path.id $input.params().header.get('X-Tag')`)).toBe('42 a"b');
    expect(render(`$input.path('$.tags').size() $input.path('$.tags[1]')`, body)).toBe('2 b');
  });

  test('$context, $stageVariables and $util', () => {
    expect(
      render('$context.stage $context.httpMethod $context.identity.sourceIp $context.authorizer.principalId'),
    ).toBe('dev POST 127.0.0.1 u1');
    expect(render(`$util.escapeJavaScript('it''s a "q" / \\n')`)).toBe(`it\\'s a \\"q\\" \\/ \\\\n`);
    expect(render(`$util.escapeJavaScript($input.params('X-Tag'))`)).toBe('a\\"b');
    expect(escapeJavaScript('café 😀 \u0001\t')).toBe('caf\\u00E9 \\uD83D\\uDE00 \\u0001\\t');
    expect(
      render(
        `$util.base64Encode('hi') $util.base64Decode('aGk=') $util.urlEncode('a b&c') $util.urlDecode('a+b%26c')`,
      ),
    ).toBe('aGk= hi a+b%26c a b&c');
    expect(render(`#set($o = $util.parseJson('{"a":[1,2]}'))$o.a.get(1)`)).toBe('2');
    expect(render('[$stageVariables.missing]')).toBe('[]');
  });

  test('#set, #if / #elseif / #else, operators', () => {
    const template = `#set($n = $input.path('$.n'))
#if($n > 10 && $n != 99)big#elseif($n == 5)five#{else}small#end`;
    expect(render(template, '{"n": 20}')).toBe('big');
    expect(render(template, '{"n": 5}')).toBe('five');
    expect(render(template, '{"n": 1}')).toBe('small');
    expect(
      render(`#if(!$input.path('$.missing'))absent#end #if($input.path('$.s') == "x")eq#end`, '{"s":"x"}'),
    ).toBe('absent eq');
    expect(render(`#set($s = "n=$input.path('$.n')")$s #set($m = {"k": 1 + 2})$m.k`, '{"n": 3}')).toBe(
      'n=3 3',
    );
  });

  test('#foreach with $foreach.hasNext builds JSON lists; ranges and #break', () => {
    const body = JSON.stringify({ items: [{ id: 1 }, { id: 2 }, { id: 3 }] });
    const template = `[
#foreach($item in $input.path('$.items'))
  {"id": $item.id}#if($foreach.hasNext),#end

#end
]`;
    expect(JSON.parse(render(template, body))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(render('#foreach($i in [1..5])#if($i == 4)#break#end$i#end')).toBe('123');
    expect(render(`#foreach($k in $input.path('$').keySet())$k;#end`, '{"a":1,"b":2}')).toBe('a;b;');
  });

  test('#define blocks render where they are referenced, with the variables of that moment', () => {
    const template = `#define( $pairs )
{#foreach($key in $map.keySet())"$key": "$map.get($key)"#if($foreach.hasNext), #end#end}
#end
#set( $map = $input.params().path )
{"path": $pairs,
#set( $map = $input.params().querystring )
"query": $pairs}`;
    expect(JSON.parse(render(template))).toEqual({ path: { id: '42' }, query: { q: 'hello world' } });
    expect(() => new VelocityTemplate('#define($a) no end')).toThrow('#define without #end');
  });

  test('comments and escapes', () => {
    expect(render('a## line comment\nb#* block\ncomment *#c \\$notRef \\#if')).toBe('abc $notRef #if');
    expect(render('cost: $5 and # sign')).toBe('cost: $5 and # sign');
  });

  test('a broken template is refused with its line', () => {
    expect(() => new VelocityTemplate('ok\n#if($a)\nno end')).toThrow(TemplateError);
    expect(() => new VelocityTemplate('ok\n#if($a)\nno end')).toThrow(/#if without #end/);
    expect(() => new VelocityTemplate('x\n#end')).toThrow(/line 2/);
    expect(() => new VelocityTemplate('#set($a = )')).toThrow(TemplateError);
  });
});
