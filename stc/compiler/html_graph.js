(function(){
'use strict';
// stc's wiring page: pan/zoom, search, focus, collapse, side panel, diagnostics.
// Reads the JSON of stc.compiler.html_graph.page_data; node <title>s are view node ids,
// edge ids are e<index into data.edges>, row clusters row-<row>, groups group-<row>-<slot>.
var data=JSON.parse(document.getElementById('stc-graph-data').textContent);
var graph=document.getElementById('graph'),svg=graph.querySelector('svg');
var tip=document.getElementById('tip'),detail=document.getElementById('detail');
var search=document.getElementById('search'),count=document.getElementById('count');
function esc(s){return String(s==null?'':s).replace(/[&<>"']/g,function(c){
  return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function list(v){return v&&v.length?v.map(esc).join(', '):'—';}
function each(sel,f){Array.prototype.forEach.call(document.querySelectorAll(sel),f);}

// ---- the SVG's nodes and edges ----
var nodeEl={},edgeEl={},out={},inn={};
each('#graph g.node',function(g){var t=g.querySelector('title');
  if(t)nodeEl[t.textContent.trim()]=g;});
data.edges.forEach(function(e,i){var el=document.getElementById('e'+i);if(el)edgeEl[i]=el;
  (out[e[0]]=out[e[0]]||[]).push(i);(inn[e[1]]=inn[e[1]]||[]).push(i);});
function nodeOf(id){return data.nodes[id]||{kind:'platform',label:id,members:[],codes:[]};}

// ---- pan and zoom: the viewBox ----
var vb0=null,vb=null;
if(svg){var b=svg.viewBox.baseVal;vb0={x:b.x,y:b.y,w:b.width,h:b.height};
  svg.removeAttribute('width');svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio','xMidYMid meet');fit();}
function setVB(v){vb=v;svg.setAttribute('viewBox',[v.x,v.y,v.w,v.h].join(' '));}
function fit(){if(vb0)setVB({x:vb0.x,y:vb0.y,w:vb0.w,h:vb0.h});}
function scale(){var r=graph.getBoundingClientRect();
  return Math.max(vb.w/Math.max(r.width,1),vb.h/Math.max(r.height,1));}
function toSvg(cx,cy){var p=svg.createSVGPoint();p.x=cx;p.y=cy;
  return p.matrixTransform(svg.getScreenCTM().inverse());}
function zoomAt(f,cx,cy){if(!vb)return;var r=graph.getBoundingClientRect();
  var p=(cx==null)?toSvg(r.left+r.width/2,r.top+r.height/2):toSvg(cx,cy);
  var w=Math.min(Math.max(vb.w*f,vb0.w/40),vb0.w*4),k=w/vb.w;
  setVB({x:p.x-(p.x-vb.x)*k,y:p.y-(p.y-vb.y)*k,w:w,h:vb.h*k});}
function pan(dx,dy){if(vb)setVB({x:vb.x+dx,y:vb.y+dy,w:vb.w,h:vb.h});}
function zoomTo(el){if(!el||!vb)return;var r=el.getBoundingClientRect();
  var a=toSvg(r.left,r.top),c=toSvg(r.right,r.bottom);
  var w=Math.max((c.x-a.x)*3,vb0.w/6),h=Math.max((c.y-a.y)*3,vb0.h/6);
  var s=Math.max(w/vb0.w,h/vb0.h);w=vb0.w*s;h=vb0.h*s;
  setVB({x:(a.x+c.x)/2-w/2,y:(a.y+c.y)/2-h/2,w:w,h:h});}
graph.addEventListener('wheel',function(e){e.preventDefault();
  zoomAt(Math.exp(e.deltaY*0.0015),e.clientX,e.clientY);},{passive:false});
var drag=null,moved=false;
graph.addEventListener('pointerdown',function(e){if(e.button!==0)return;
  drag={x:e.clientX,y:e.clientY};moved=false;});
window.addEventListener('pointermove',function(e){if(!drag||!vb)return;
  var dx=e.clientX-drag.x,dy=e.clientY-drag.y;
  if(!moved&&Math.abs(dx)+Math.abs(dy)<4)return;
  moved=true;graph.classList.add('panning');var s=scale();pan(-dx*s,-dy*s);
  drag={x:e.clientX,y:e.clientY};});
window.addEventListener('pointerup',function(){drag=null;graph.classList.remove('panning');});
graph.addEventListener('click',function(e){if(moved){e.stopPropagation();moved=false;}},true);
document.getElementById('fit').onclick=fit;
document.getElementById('zin').onclick=function(){zoomAt(1/1.3);};
document.getElementById('zout').onclick=function(){zoomAt(1.3);};
document.getElementById('clear').onclick=function(){clearFocus();};
document.addEventListener('keydown',function(e){
  if(e.target===search){if(e.key==='Escape'){search.value='';runSearch();search.blur();}
    else if(e.key==='Enter'){nextMatch();}return;}
  var step=vb?vb.w*0.1:0;
  var keys={'+':function(){zoomAt(1/1.3);},'=':function(){zoomAt(1/1.3);},
    '-':function(){zoomAt(1.3);},'0':fit,'ArrowLeft':function(){pan(-step,0);},
    'ArrowRight':function(){pan(step,0);},'ArrowUp':function(){pan(0,-step);},
    'ArrowDown':function(){pan(0,step);},'Escape':function(){clearFocus();},
    '/':function(){search.focus();}};
  if(keys[e.key]){e.preventDefault();keys[e.key]();}});

// ---- focus: a node's upstream and downstream stay lit ----
function reach(start,adj,end){var seen={},edges={},todo=[start];seen[start]=1;
  while(todo.length){var n=todo.pop();(adj[n]||[]).forEach(function(i){
    edges[i]=1;var m=data.edges[i][end];if(!seen[m]){seen[m]=1;todo.push(m);}});}
  return {nodes:seen,edges:edges};}
function focus(id){var d=reach(id,out,1),u=reach(id,inn,0);
  if(!svg)return;svg.classList.add('focusing');
  Object.keys(nodeEl).forEach(function(n){var g=nodeEl[n];
    g.classList.toggle('lit',!!(d.nodes[n]||u.nodes[n]));g.classList.toggle('focus',n===id);});
  Object.keys(edgeEl).forEach(function(i){edgeEl[i].classList.toggle('lit',!!(d.edges[i]||u.edges[i]));});
  return {up:Object.keys(u.nodes).length-1,down:Object.keys(d.nodes).length-1};}
function clearFocus(){if(!svg)return;svg.classList.remove('focusing');
  each('#graph .lit,#graph .focus,#graph .sel,#graph .flash',function(g){
    g.classList.remove('lit','focus','sel','flash');});
  each('#diags li.on',function(li){li.classList.remove('on');});}

// ---- search by worker, plugin or DTO ----
function haystack(id){var n=nodeOf(id),parts=[id,n.label];
  (n.members||[]).forEach(function(m){var w=data.workers[m];parts.push(m);
    if(w)parts.push(w.plugin,(w.requires||[]).join(' '),(w.provides||[]).join(' '));});
  return parts.join(' ').toLowerCase();}
var matches=[],current=-1;
function runSearch(){var q=search.value.trim().toLowerCase();matches=[];current=-1;
  if(!svg)return;
  Object.keys(nodeEl).forEach(function(id){var hit=!!q&&haystack(id).indexOf(q)>=0;
    nodeEl[id].classList.toggle('match',hit);if(hit)matches.push(id);});
  svg.classList.toggle('searching',!!q);
  count.textContent=q?matches.length+(matches.length===1?' match':' matches'):'';}
function nextMatch(){if(!matches.length)return;current=(current+1)%matches.length;
  var id=matches[current];show(id);zoomTo(nodeEl[id]);}
search.addEventListener('input',runSearch);

// ---- collapse and expand phases and groups ----
var hiddenRows={},hiddenGroups={};
function rowNodes(row){var r=data.rows.filter(function(x){return x[0]===row;})[0];
  return r?r[2]:[];}
function applyHidden(){var hidden={};
  Object.keys(data.nodes).forEach(function(id){var n=data.nodes[id];
    if(hiddenRows[n.row]||hiddenGroups[n.row+'-'+n.group])hidden[id]=1;});
  Object.keys(data.nodes).forEach(function(id){var n=data.nodes[id];
    if(n.kind!=='event'&&n.kind!=='dto_hub')return;
    var ends=(out[id]||[]).map(function(i){return data.edges[i][1];}).concat(
      (inn[id]||[]).map(function(i){return data.edges[i][0];}));
    if(ends.length&&ends.every(function(m){return hidden[m];}))hidden[id]=1;});
  Object.keys(nodeEl).forEach(function(id){nodeEl[id].classList.toggle('hidden',!!hidden[id]);});
  data.edges.forEach(function(e,i){if(edgeEl[i])
    edgeEl[i].classList.toggle('hidden',!!(hidden[e[0]]||hidden[e[1]]));});
  each('#graph g.cluster',function(g){var id=g.id,t=g.querySelector('text');
    var off=id.indexOf('row-')===0?hiddenRows[id.slice(4)]:hiddenGroups[id.slice(6)];
    g.classList.toggle('collapsed',!!off);
    if(t){if(!t.dataset.title)t.dataset.title=t.textContent;
      t.textContent=t.dataset.title+(off?' ▸ collapsed':'');}});
  phases();}
function toggleRow(row,off){hiddenRows[row]=off==null?!hiddenRows[row]:off;applyHidden();}
function toggleGroup(key,off){hiddenGroups[key]=off==null?!hiddenGroups[key]:off;applyHidden();}
each('#graph g.cluster',function(g){var t=g.querySelector('text');if(!t)return;
  t.addEventListener('click',function(e){e.stopPropagation();if(moved)return;
    if(g.id.indexOf('row-')===0)toggleRow(g.id.slice(4));else toggleGroup(g.id.slice(6));});});
function phases(){var el=document.getElementById('phases');if(!data.rows.length){
  el.innerHTML='';return;}
  var h='<h2>phases</h2><p><button type="button" data-all="1">collapse all</button> '+
    '<button type="button" data-all="0">expand all</button></p><ul>';
  data.rows.forEach(function(r){var groups={};r[2].forEach(function(id){
      var n=nodeOf(id);if(n.group&&r[0]!=='context')groups[n.group]=n.group_title||n.group;});
    h+='<li><button type="button" class="row-toggle" data-row="'+esc(r[0])+'">'+
      (hiddenRows[r[0]]?'expand':'collapse')+'</button> '+esc(r[1])+
      ' <span class="mut">('+r[2].length+')</span>';
    var keys=Object.keys(groups);if(keys.length>1){h+='<ul>';keys.forEach(function(g){
      var key=r[0]+'-'+g;h+='<li><button type="button" class="group-toggle" data-group="'+
        esc(key)+'">'+(hiddenGroups[key]?'expand':'collapse')+'</button> '+esc(groups[g])+
        '</li>';});
      h+='</ul>';}
    h+='</li>';});
  el.innerHTML=h+'</ul>';
  el.querySelectorAll('button[data-all]').forEach(function(b){b.onclick=function(){
    var off=b.dataset.all==='1';data.rows.forEach(function(r){hiddenRows[r[0]]=off;});
    applyHidden();};});
  el.querySelectorAll('button.row-toggle').forEach(function(b){b.onclick=function(){
    toggleRow(b.dataset.row);};});
  el.querySelectorAll('button.group-toggle').forEach(function(b){b.onclick=function(){
    toggleGroup(b.dataset.group);};});}

// ---- the side panel ----
function fields(dto){var f=data.dtos[dto];
  if(!f)return '<p class="mut">'+esc(dto||'unknown')+': not a platform DTO (its fields are '+
    'in its plugin\'s module)</p>';
  return '<table class="fields">'+f.map(function(x){return '<tr><td><code>'+esc(x[0])+
    '</code></td><td class="mut">'+esc(x[1])+'</td></tr>';}).join('')+'</table>';}
function params(w){var p=w.params||{},set={};(w.params_set||[]).forEach(function(k){set[k]=1;});
  var keys=Object.keys(p).sort();if(!keys.length)return '<p class="mut">no params</p>';
  return '<table class="params">'+keys.map(function(k){return '<tr><td><code>'+esc(k)+
    '</code></td><td>'+esc(JSON.stringify(p[k]))+'</td><td><span class="tag '+
    (set[k]?'set">set':'default">default')+'</span></td></tr>';}).join('')+'</table>';}
function dtoLinks(v){return v&&v.length?v.map(function(d){return '<a class="go" data-dto="'+
  esc(d)+'">'+esc(d)+'</a>';}).join(', '):'—';}
function workerHtml(id){var w=data.workers[id];if(!w)return '<h2>'+esc(id)+'</h2>';
  var trig=w.trigger?'on '+esc(w.trigger):Object.keys(w.triggers||{}).map(function(k){
    return esc(k)+' '+esc(JSON.stringify(w.triggers[k]));}).join(', ');
  return '<h2>'+esc(id)+'</h2><p><b>'+esc(w.plugin)+'</b> '+esc(w.version||'')+'<br>'+
    esc(w.type)+(w.subtype?' · '+esc(w.subtype):'')+(w.resolved===false?
    ' <span class="err">(plugin not resolved)</span>':'')+'</p>'+
    '<h3>params</h3>'+params(w)+'<p>requires: '+dtoLinks(w.requires)+'<br>provides: '+
    dtoLinks(w.provides)+'<br>warm-up: '+esc(w.warmup||0)+' bars'+
    (w.timeframe?' · timeframe '+esc(w.timeframe):'')+(trig?'<br>trigger: '+trig:'')+'</p>';}
function show(id){var n=nodeOf(id),h='';
  if(n.kind==='worker')h=workerHtml(id);
  else if(n.kind==='group'){h='<h2>'+esc(n.label.split('\n')[0])+'</h2><p class="mut">'+
    esc(n.label.split('\n').slice(1).join(' · '))+'</p><h3>members (expanded)</h3><ol>'+
    n.members.map(function(m){var w=data.workers[m]||{};return '<li><a class="go" data-worker="'+
      esc(m)+'">'+esc(m)+'</a> <span class="mut">'+esc(w.plugin||'')+'</span></li>';}).join('')+
    '</ol>';}
  else if(n.kind==='event'){var p=n.label.split('\n');h='<h2>'+esc(p[0])+'</h2>'+
    '<p>payload <b>'+esc(p[1]||'')+'</b></p>'+fields(p[1]);}
  else if(n.kind==='dto_hub')h='<h2>'+esc(n.label)+'</h2><p class="mut">DTO data flow</p>'+
    fields(n.label);
  else if(n.kind==='missing')h='<h2 class="err">'+esc(n.label)+'</h2><p>No worker provides '+
    'this DTO: add a context worker that provides it before its consumers.</p>';
  else h='<h2>'+esc(n.label.replace('\n',' '))+'</h2><p class="mut">platform component</p>';
  if(n.codes&&n.codes.length)h+='<p class="err">'+n.codes.map(esc).join(' ')+'</p>';
  var f=nodeEl[id]?focus(id):null;
  if(f)h+='<p class="mut">'+f.up+' upstream · '+f.down+' downstream</p>';
  detail.innerHTML=h;}
function showEdge(i){var e=data.edges[i],h;
  var label=e[3]||(nodeOf(e[0]).kind.indexOf('_hub')<0&&nodeOf(e[0]).kind!=='event'?
    nodeOf(e[1]).label:nodeOf(e[0]).label)||'';
  var p=label.split('\n');
  if(e[2]==='dto')h='<h2>'+esc(p[0])+'</h2><p class="mut">DTO data flow</p>'+fields(p[0]);
  else if(e[2]==='chain')h='<h2>context chain</h2><p class="mut">runs after</p>';
  else h='<h2>'+esc(p[0])+'</h2><p>payload <b>'+esc(p[1]||'')+'</b></p>'+fields(p[1]);
  detail.innerHTML=h+'<p class="mut">'+esc(e[0])+' → '+esc(e[1])+'</p>';
  each('#graph g.edge.sel',function(x){x.classList.remove('sel');});
  if(edgeEl[i])edgeEl[i].classList.add('sel');}
detail.addEventListener('click',function(e){var a=e.target.closest('a.go');if(!a)return;
  if(a.dataset.worker){detail.innerHTML=workerHtml(a.dataset.worker);}
  else if(a.dataset.dto){detail.innerHTML='<h2>'+esc(a.dataset.dto)+'</h2>'+
    fields(a.dataset.dto);}});
Object.keys(nodeEl).forEach(function(id){var g=nodeEl[id];
  if(g.classList.contains('legend'))return;
  g.addEventListener('click',function(e){e.stopPropagation();show(id);});
  g.addEventListener('mouseenter',function(){var w=data.workers[id];if(!w)return;
    tip.innerHTML='<b>'+esc(id)+'</b> · '+esc(w.plugin)+' '+esc(w.version||'')+'<br>'+
      esc(w.type)+(w.subtype?' · '+esc(w.subtype):'')+'<br>requires: '+list(w.requires)+
      '<br>provides: '+list(w.provides)+'<pre>params: '+
      esc(JSON.stringify(w.params||{},null,1))+'</pre>';tip.hidden=false;});
  g.addEventListener('mousemove',function(e){tip.style.left=(e.clientX+14)+'px';
    tip.style.top=(e.clientY+14)+'px';});
  g.addEventListener('mouseleave',function(){tip.hidden=true;});});
Object.keys(edgeEl).forEach(function(i){edgeEl[i].addEventListener('click',function(e){
  e.stopPropagation();showEdge(+i);});});
graph.addEventListener('click',function(){clearFocus();});

// ---- diagnostics of a failed compile ----
function diags(){var el=document.getElementById('diags'),ds=data.diagnostics;
  if(!ds.length){el.innerHTML='';return;}
  var errors=ds.filter(function(d){return d.severity==='error';}).length;
  var h='<h2 class="err">'+errors+' error'+(errors===1?'':'s')+', '+(ds.length-errors)+
    ' other</h2><ol>';
  ds.forEach(function(d,i){h+='<li class="'+esc(d.severity)+'" data-i="'+i+'"><b>'+
    esc(d.severity)+'['+esc(d.code)+']</b> '+esc(d.message)+'<div class="pos">'+
    esc(d.file||'')+(d.line?':'+d.line+(d.column?':'+d.column:''):'')+
    (d.node?' · '+esc(d.node):d.row?' · phase '+esc(d.row):'')+'</div>'+
    (d.help?'<div class="mut">help: '+esc(d.help)+'</div>':'')+'</li>';});
  el.innerHTML=h+'</ol>';
  el.querySelectorAll('li').forEach(function(li){li.onclick=function(){
    var d=ds[+li.dataset.i];clearFocus();li.classList.add('on');
    if(d.node&&nodeEl[d.node]){var n=nodeOf(d.node);hiddenRows[n.row]=false;
      hiddenGroups[n.row+'-'+n.group]=false;applyHidden();show(d.node);
      nodeEl[d.node].classList.add('flash');zoomTo(nodeEl[d.node]);}
    else if(d.row){hiddenRows[d.row]=false;applyHidden();
      var c=document.getElementById('row-'+d.row);if(c){c.classList.add('flash');zoomTo(c);}}};});}
diags();phases();
})();
