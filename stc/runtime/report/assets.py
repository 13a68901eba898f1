"""The report's stylesheet and script, inlined into every page (no network, no CDN).

The charts are drawn by TradingView's lightweight-charts 4.2.3, vendored unmodified as
its standalone production build in ``vendor/`` (Apache-2.0; LICENSE and NOTICE there;
``docs/decisions.md`` says why and how it was obtained) and inlined into each page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor"
CHARTING_LIBRARY = VENDOR / "lightweight-charts.standalone.production.js"


@cache
def charting_library() -> str:
    """The vendored lightweight-charts build, safe to inline in a ``<script>``."""
    text = CHARTING_LIBRARY.read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")


CSS = """
:root{--fg:#111827;--mut:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--card:#fff;--acc:#2563eb;
--pos:#15803d;--neg:#b91c1c;--hl:#f59e0b}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header h1{margin:0 0 2px;font-size:22px}
.sub{margin:0 0 18px;color:var(--mut)}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:14px 18px;margin:0 0 18px}
h2{font-size:15px;margin:6px 0 10px}
h2 .count{color:var(--mut);font-weight:normal}
.hint,.legend,footer{color:var(--mut);font-size:12px;margin:0 0 8px}
.empty{color:var(--mut);font-style:italic}
.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}
.metric{border:1px solid var(--line);border-radius:6px;padding:8px 10px;background:#fcfcfd}
.metric .k{display:block;color:var(--mut);font-size:11px;text-transform:uppercase;
letter-spacing:.03em}
.metric .v{display:block;font-size:18px;font-variant-numeric:tabular-nums;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
.metric.when{grid-column:span 2}
.metric.pos .v{color:var(--pos)}.metric.neg .v{color:var(--neg)}
.lwc{position:relative;width:100%;height:260px;margin:0 0 6px}
.lwc.price{height:420px}.lwc.drawdown{height:150px}
.legend .lg{font-weight:bold}.lg.long,.lg.win{color:var(--pos)}
.lg.short,.lg.loss{color:var(--neg)}.lg.exit{color:#1f2937}
.lg.eq{color:var(--acc)}.lg.bh{color:#9ca3af}.lg.sig{color:#7c3aed}
nav.pager{margin:0 0 8px;font-size:12px;color:var(--mut)}nav.pager[hidden]{display:none}
nav.pager button{margin:0 4px}
table.monthly td,table.monthly th{text-align:right;font-variant-numeric:tabular-nums}
table.monthly tbody th{text-align:left}table.monthly td.year{font-weight:600}
.scroll{overflow:auto;max-height:640px;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 7px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
thead th{position:sticky;top:0;background:#f3f4f6;cursor:pointer;user-select:none;z-index:1}
thead th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
thead th[aria-sort=descending]::after{content:" ▼";font-size:10px}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.pos{color:var(--pos)}td.neg{color:var(--neg)}
tr.row{cursor:pointer}tr.row:hover{background:#f5f8ff}
tr.row td:first-child{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
tbody.trade.open tr.row{background:#eef4ff}
tr.chain td{white-space:normal;background:#fbfcfe;padding:8px 14px}
ol.chain-steps{list-style:none;margin:0;padding:0 0 0 10px;border-left:2px solid #c7d2fe}
.step{margin:3px 0;padding-left:6px}
.step .lbl{display:inline-block;min-width:92px;color:var(--mut);font-size:12px}
.step .id{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
background:#eef2ff;padding:1px 4px;border-radius:4px}
.step .ty{color:#4338ca;font-size:12px}.step .by{color:var(--mut);font-size:12px}
.step .sum{font-size:12px;color:#374151}
.factors{margin:2px 0 0 98px;padding-left:16px;font-size:12px;color:#374151}
.wiring{overflow:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
.wiring svg{display:block;margin:auto;height:380px;width:auto}
.wiring.fit svg{height:auto;width:100%}
button{font:inherit;font-size:12px;border:1px solid var(--line);border-radius:4px;
background:#fff;cursor:pointer;padding:1px 8px}
.wiring.active g.node{opacity:.35}
.wiring.active g.node.hl{opacity:1}
.wiring g.node.hl polygon,.wiring g.node.hl ellipse,.wiring g.node.hl path{
stroke:var(--hl);stroke-width:4px}
"""

JS = r"""
(function(){
'use strict';
var D=JSON.parse(document.getElementById('stc-report-data').textContent);
var LWC=window.LightweightCharts;
var COLS=['trade_id','direction','entry_time','entry_price','size','exit_time','exit_price',
  'exit_reason','fees','pnl'];
var NUMERIC={entry_price:1,size:1,exit_price:1,fees:1,pnl:1};
var table=document.querySelector('table.trades');
var pager=document.querySelector('nav.pager');
var PAGE=pager?+pager.getAttribute('data-page-size'):100;
var order=D.trades.map(function(_,i){return i;});
var page=0,selected=null,markerHosts=[],charts=[];
function esc(s){return String(s).replace(/[&<>"']/g,function(c){
  return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function short(v){var n=parseFloat(v);if(v===''||isNaN(n))return v;if(n===0)return '0';
  var a=Math.abs(n);if(a>=100)return n.toLocaleString('en-US',{minimumFractionDigits:2,
  maximumFractionDigits:2});return a<1?String(Number(n.toPrecision(5))):n.toFixed(4);}
function stamp(text){var t=Date.parse(text);return isNaN(t)?null:Math.floor(t/1000);}
/* the trades table: one page of rows at a time, rendered from the data */
function rowHtml(i){
  var r=D.trades[i],id=r[0],cells='';
  COLS.forEach(function(k,c){var raw=r[c];
    var shown=NUMERIC[k]?short(raw):/_time$/.test(k)?raw.replace('+00:00','').replace('T',' '):raw;
    var cls=k==='pnl'?(parseFloat(raw)>0?' class="num pos"':' class="num neg"'):NUMERIC[k]?
      ' class="num"':'';
    cells+='<td'+cls+' data-v="'+esc(raw)+'" title="'+esc(raw)+'">'+esc(shown)+'</td>';});
  var chain=D.chains[id]!==undefined?D.chains[id]:'<p class="empty">causality chain not '+
    'embedded in this report: <code>stc explain '+esc(id)+'</code> prints it</p>';
  return '<tbody class="trade" id="t-'+esc(id)+'" data-trade="'+esc(id)+'" data-workers="'+
    esc(D.workers[r[10]]||'')+'"><tr class="row" tabindex="0">'+cells+'</tr>'+
    '<tr class="chain" hidden><td colspan="'+COLS.length+'">'+chain+'</td></tr></tbody>';}
function renderPage(){
  if(!table)return;
  Array.prototype.slice.call(table.tBodies).forEach(function(b){table.removeChild(b);});
  var from=page*PAGE,to=Math.min(order.length,from+PAGE),html='';
  for(var k=from;k<to;k++)html+=rowHtml(order[k]);
  table.insertAdjacentHTML('beforeend',html);
  if(!pager)return;
  var pages=Math.ceil(order.length/PAGE);
  pager.hidden=pages<=1;
  pager.innerHTML='<button type="button" data-go="-1"'+(page?'':' disabled')+'>‹ previous'+
    '</button> trades '+(from+1)+'–'+to+' of '+order.length+' (page '+(page+1)+' of '+pages+
    ') <button type="button" data-go="1"'+(page+1<pages?'':' disabled')+'>next ›</button>';}
function cellValue(i,col,num){var v=D.trades[i][col];
  if(num){var n=parseFloat(v);return isNaN(n)?-Infinity:n;}return v||'';}
function sortBy(th){
  var col=+th.getAttribute('data-col'),num=th.getAttribute('data-type')==='num';
  var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
  table.querySelectorAll('thead th').forEach(function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',dir===1?'ascending':'descending');
  order.sort(function(a,b){var x=cellValue(a,col,num),y=cellValue(b,col,num);
    return (x<y?-1:x>y?1:0)*dir||a-b;});
  page=0;renderPage();}
function highlight(body){
  var wiring=document.querySelector('.wiring');
  selected=body?body.getAttribute('data-trade'):null;
  document.body.setAttribute('data-selected',selected||'');
  markerHosts.forEach(function(h){h.draw();});
  if(wiring){wiring.classList.remove('active');
    wiring.querySelectorAll('g.node.hl').forEach(function(n){n.classList.remove('hl');});}
  if(!body)return;
  if(!wiring)return;
  var names={};(body.getAttribute('data-workers')||'').split(' ').forEach(function(w){
    if(w)names[w]=1;});
  wiring.querySelectorAll('g.node').forEach(function(n){
    var t=n.querySelector('title');if(t&&names[t.textContent.trim()])n.classList.add('hl');});
  wiring.classList.add('active');
  var first=wiring.querySelector('g.node.hl');
  if(first&&!wiring.classList.contains('fit')){var box=first.getBoundingClientRect(),
    outer=wiring.getBoundingClientRect();
    wiring.scrollLeft+=box.left-outer.left-40;}}
function toggle(body,open){
  var chain=body.querySelector('tr.chain');
  var show=open===undefined?chain.hidden:open;
  if(table)table.querySelectorAll('tbody.trade.open').forEach(function(b){
    if(b!==body){b.classList.remove('open');b.querySelector('tr.chain').hidden=true;}});
  chain.hidden=!show;body.classList.toggle('open',show);highlight(show?body:null);}
function openTrade(id){
  var at=-1;for(var k=0;k<order.length;k++){if(D.trades[order[k]][0]===id){at=k;break;}}
  if(at<0)return;
  page=Math.floor(at/PAGE);renderPage();
  var body=document.getElementById('t-'+id);
  if(body){toggle(body,true);body.scrollIntoView({block:'center'});}}
if(table){
  renderPage();
  table.querySelectorAll('thead th').forEach(function(th){
    th.addEventListener('click',function(){sortBy(th);});
    th.addEventListener('keydown',function(e){if(e.key==='Enter')sortBy(th);});});
  table.addEventListener('click',function(e){
    var row=e.target.closest('tr.row');if(row)toggle(row.parentNode);});
  table.addEventListener('keydown',function(e){
    var row=e.target.closest('tr.row');if(row&&e.key==='Enter')toggle(row.parentNode);});}
if(pager)pager.addEventListener('click',function(e){
  var go=e.target.getAttribute('data-go');if(!go)return;
  page=Math.max(0,Math.min(page+(+go),Math.ceil(order.length/PAGE)-1));renderPage();});
var fit=document.getElementById('wiring-fit');
if(fit)fit.addEventListener('click',function(){
  var w=document.querySelector('.wiring');var on=w.classList.toggle('fit');
  fit.textContent=on?'actual size':'fit to width';});
/* the charts (lightweight-charts): price with volume, signals and trades; equity with
   buy-and-hold; drawdown. Their time axes move together. */
if(!LWC)return;
function snapper(times){return function(t){var lo=0,hi=times.length-1;
  if(t<=times[0])return times[0];
  while(lo<hi){var mid=(lo+hi+1)>>1;if(times[mid]<=t)lo=mid;else hi=mid-1;}return times[lo];};}
function points(rows){return rows.map(function(r){return {time:r[0],value:r[1]};});}
function digits(rows,at){var top=0;rows.forEach(function(r){top=Math.max(top,Math.abs(r[at]));});
  return top<10?5:top<10000?2:0;}
function make(id,height){var el=document.getElementById(id);if(!el)return null;
  var chart=LWC.createChart(el,{autoSize:true,
    layout:{background:{color:'#ffffff'},textColor:'#374151',fontSize:11,attributionLogo:true},
    grid:{vertLines:{color:'#f3f4f6'},horzLines:{color:'#eef0f3'}},
    crosshair:{mode:LWC.CrosshairMode.Normal},
    rightPriceScale:{borderColor:'#e5e7eb'},
    timeScale:{borderColor:'#e5e7eb',timeVisible:true,secondsVisible:false,
      minBarSpacing:0.05}});
  charts.push(chart);return chart;}
function tradeMarkers(snap){
  var out=[];
  D.trades.forEach(function(r){var id=r[0],t0=stamp(r[2]),t1=stamp(r[5]);
    if(t0===null)return;var sel=id===selected,shortSide=r[1]==='SELL';
    out.push({time:snap(t0),position:shortSide?'aboveBar':'belowBar',
      shape:shortSide?'arrowDown':'arrowUp',color:sel?'#f59e0b':shortSide?'#b91c1c':'#15803d',
      id:id+'|e',size:sel?2:1});
    if(t1!==null)out.push({time:snap(t1),position:shortSide?'belowBar':'aboveBar',
      shape:'circle',color:sel?'#f59e0b':'#1f2937',id:id+'|x',size:sel?2:0.6});});
  out.sort(function(a,b){return a.time-b.time;});return out;}
var MAX_MARKERS=1500;  /* more in view are not drawn: zoom in (a selected trade always is) */
function host(chart,series,times){var snap=snapper(times),all=[];
  var h={series:series,draw:function(){all=tradeMarkers(snap);h.view();},view:function(){
    var r=chart.timeScale().getVisibleRange(),hint=document.getElementById('marker-hint');
    var list=r?all.filter(function(m){return m.time>=r.from&&m.time<=r.to;}):all;
    if(hint)hint.textContent=list.length>MAX_MARKERS?' · '+list.length+' trade markers in '+
      'view: zoom in to draw them':'';
    if(list.length>MAX_MARKERS)list=all.filter(function(m){return m.size===2;});
    series.setMarkers(list);}};
  markerHosts.push(h);h.draw();
  chart.timeScale().subscribeVisibleTimeRangeChange(function(){h.view();});}
function clicks(chart){chart.subscribeClick(function(p){
  if(p.hoveredObjectId===undefined||p.hoveredObjectId===null)return;
  openTrade(String(p.hoveredObjectId).replace(/\|[ex]$/,''));});}
var price=D.candles.length?make('price-chart'):null;
if(price){
  var P=digits(D.candles,4);
  var candles=price.addCandlestickSeries({upColor:'#15803d',downColor:'#b91c1c',
    borderVisible:false,wickUpColor:'#15803d',wickDownColor:'#b91c1c',
    priceFormat:{type:'price',precision:P,minMove:Math.pow(10,-P)}});
  candles.setData(D.candles.map(function(c){
    return {time:c[0],open:c[1],high:c[2],low:c[3],close:c[4]};}));
  var volume=price.addHistogramSeries({priceScaleId:'',priceFormat:{type:'volume'},
    lastValueVisible:false,priceLineVisible:false});
  price.priceScale('').applyOptions({scaleMargins:{top:0.82,bottom:0}});
  volume.setData(D.candles.map(function(c){return {time:c[0],value:c[5],
    color:c[4]>=c[1]?'rgba(21,128,61,.35)':'rgba(185,28,28,.35)'};}));
  var times=D.candles.map(function(c){return c[0];}),snap=snapper(times);
  var colors=['#7c3aed','#0891b2','#ea580c','#db2777','#65a30d'],names=Object.keys(D.signals);
  var legend=document.getElementById('signal-legend');
  names.forEach(function(name,k){var seen={},data=[];
    D.signals[name].forEach(function(r){var t=snap(r[0]);if(seen[t]===undefined){
      seen[t]=data.length;data.push({time:t,value:r[1]});}else data[seen[t]].value=r[1];});
    var s=price.addLineSeries({color:colors[k%colors.length],lineVisible:false,
      pointMarkersVisible:true,pointMarkersRadius:2,lastValueVisible:false,
      priceLineVisible:false,title:'',crosshairMarkerVisible:false,
      priceFormat:{type:'price',precision:P,minMove:Math.pow(10,-P)}});
    s.setData(data);
    if(legend)legend.insertAdjacentHTML('beforeend',' · <span class="lg sig" style="color:'+
      colors[k%colors.length]+'">●</span> '+esc(name)+' (recorded at signals)');});
  host(price,candles,times);clicks(price);}
var equity=D.equity.length?make('equity-chart'):null;
if(equity){
  var E=digits(D.equity,1)>2?4:2;
  var line=equity.addLineSeries({color:'#2563eb',lineWidth:2,title:'strategy',
    priceFormat:{type:'price',precision:E,minMove:Math.pow(10,-E)}});
  line.setData(points(D.equity));
  if(D.buy_hold.length){equity.addLineSeries({color:'#9ca3af',lineWidth:1,title:'buy & hold',
    priceFormat:{type:'price',precision:E,minMove:Math.pow(10,-E)}}).setData(points(D.buy_hold));}
  if(!price){host(equity,line,D.equity.map(function(r){return r[0];}));clicks(equity);}}
var dd=D.drawdown.length?make('drawdown-chart'):null;
if(dd){dd.addAreaSeries({lineColor:'#b91c1c',topColor:'rgba(185,28,28,.05)',
  bottomColor:'rgba(185,28,28,.3)',lineWidth:1,invertFilledArea:true,
  priceFormat:{type:'custom',minMove:0.001,formatter:function(v){return v.toFixed(2)+' %';}}})
  .setData(D.drawdown.map(function(r){return {time:r[0],value:r[1]*100};}));}
window.stcReport={charts:charts,openTrade:openTrade,markers:function(){
  return markerHosts.length?markerHosts[0].series.markers():[];},
  series:function(){return markerHosts.length?markerHosts[0].series:null;}};
var syncing=false;
charts.forEach(function(c){c.timeScale().fitContent();
  c.timeScale().subscribeVisibleTimeRangeChange(function(range){
    if(syncing||!range)return;syncing=true;
    charts.forEach(function(o){if(o!==c){try{o.timeScale().setVisibleRange(range);}catch(e){}}});
    syncing=false;});});
})();
"""
